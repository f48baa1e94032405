import { Duration } from 'aws-cdk-lib';
import { Match, StepGate, Strategy, guardrails, k8s } from '../../../src';
import { codeDeployService, ecsService, findings, k8sChart, revision } from '../../support/guardrails';

const withTestRoute = Strategy.blueGreen({ testRoute: Match.header('x-env', 'green') });
const canaryTestRoute = Strategy.canary({ testRoute: Match.header('x-qa', '1'), steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(5)) }] });

describe('CDS-R4 private test route, AWS', () => {
  test('compliant: the native test rule admits private addresses by default', () => {
    expect(findings(ecsService(withTestRoute).app, 'CDS-R4')).toEqual([]);
  });

  test('non-compliant: the native test rule open to 0.0.0.0/0', () => {
    const { app } = ecsService(withTestRoute, { testRouteSources: ['203.0.113.0/24', '0.0.0.0/0'] });
    expect(findings(app, 'CDS-R4')).toEqual(['Stack/Web/Rollout: test route header x-env=green is open to 0.0.0.0/0']);
  });

  test('compliant: a CodeDeploy test listener reachable from an office range', () => {
    const { app } = codeDeployService(Strategy.BLUE_GREEN, ['203.0.113.0/24']);
    expect(findings(app, 'CDS-R4')).toEqual([]);
  });

  test('non-compliant: a CodeDeploy test listener open to ::/0', () => {
    const { app } = codeDeployService(Strategy.BLUE_GREEN, ['10.0.0.0/8', '::/0']);
    expect(findings(app, 'CDS-R4')).toEqual(['Stack/Web/Rollout: test route test listener on port 9000 is open to ::/0']);
  });

  test('no test route, no finding', () => {
    expect(findings(ecsService(Strategy.BLUE_GREEN).app, 'CDS-R4')).toEqual([]);
  });

  test('a canary\'s test route is read the same way: private by default, a finding when opened to everyone', () => {
    expect(findings(ecsService(canaryTestRoute).app, 'CDS-R4')).toEqual([]);
    const { app } = ecsService(canaryTestRoute, { testRouteSources: ['0.0.0.0/0'] });
    expect(findings(app, 'CDS-R4')).toEqual(['Stack/Web/Rollout: test route header x-qa=1 is open to 0.0.0.0/0']);
  });
});

describe('CDS-R4 private test route, Kubernetes', () => {
  test('non-compliant: an HTTPRoute test route has no source restriction, whatever the Gateway', () => {
    const chart = k8sChart();
    new k8s.GatewayRollout(chart, 'web', { strategy: withTestRoute, gateway: { name: 'internal' }, stable: revision('web', '1.0.0'), candidate: revision('web', '2.0.0') });
    expect(findings(chart, 'CDS-R4')).toEqual(['shop/web: test route header x-env=green on Gateway API admits every client that reaches it, with no source restriction']);
  });

  test('compliant once suppressed with what keeps it private; the reason is in the report', () => {
    const chart = k8sChart();
    const web = new k8s.GatewayRollout(chart, 'web', { strategy: withTestRoute, gateway: { name: 'internal' }, stable: revision('web', '1.0.0'), candidate: revision('web', '2.0.0') });
    guardrails.Guardrails.suppress(web, 'CDS-R4', 'the internal Gateway has a private load balancer only');
    expect(findings(chart, 'CDS-R4')).toEqual([
      'shop/web: test route header x-env=green on Gateway API admits every client that reaches it, with no source restriction [suppressed: the internal Gateway has a private load balancer only]',
    ]);
  });

  test('non-compliant: an Argo canary\'s header route has no source restriction either', () => {
    const chart = k8sChart();
    new k8s.ArgoRollout(chart, 'web', {
      strategy: canaryTestRoute, revision: revision('web', '1.0.0'), trafficRouting: k8s.ArgoTrafficRouting.gatewayApi({ gateway: { name: 'internal' } }),
    });
    expect(findings(chart, 'CDS-R4')).toEqual(['shop/web: test route header x-qa=1 on Argo Rollouts admits every client that reaches it, with no source restriction']);
  });

  test('compliant: a blue-green rollout without a test route', () => {
    const chart = k8sChart();
    new k8s.ArgoRollout(chart, 'web', { strategy: Strategy.BLUE_GREEN, revision: revision('web', '1.0.0') });
    expect(findings(chart, 'CDS-R4')).toEqual([]);
  });
});
