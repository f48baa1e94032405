import { Strategy, aws, guardrails, k8s } from '../../../src';
import { ecsSetup, findings, k8sChart, release, revision } from '../../support/guardrails';

describe('CDS-R7 pinned versions, AWS', () => {
  function ecsRelease(image: string) {
    const base = ecsSetup();
    const services = {
      payments: new aws.EcsRolloutService(base.stack, 'Payments', {
        cluster: base.cluster,
        listener: base.listener,
        taskDefinition: base.task('PaymentsTask', 'registry.example.com/payments:2.1.0'),
        strategy: Strategy.CANARY_10PERCENT_5MINUTES,
        priority: 10,
      }),
      orders: new aws.EcsRolloutService(base.stack, 'Orders', {
        cluster: base.cluster, listener: base.listener, taskDefinition: base.task('OrdersTask', image), strategy: Strategy.CANARY_10PERCENT_5MINUTES, priority: 20,
      }),
    };
    new aws.EcsRelease(base.stack, 'Release', { release: release({ payments: '2.1.0', orders: '3.0.0' }), services });
    return base.app;
  }

  test('compliant: tagged and digest-pinned images', () => {
    expect(findings(ecsRelease('registry.example.com/orders:3.0.0'), 'CDS-R7')).toEqual([]);
    expect(findings(ecsRelease('registry.example.com/orders@sha256:' + 'a'.repeat(64)), 'CDS-R7')).toEqual([]);
  });

  test('non-compliant: latest', () => {
    expect(findings(ecsRelease('registry.example.com/orders:latest'), 'CDS-R7'))
      .toEqual(['Stack/Release: service "orders" runs registry.example.com/orders:latest in Stack/OrdersTask/web']);
  });

  test('non-compliant: untagged (a registry port is not a tag)', () => {
    expect(findings(ecsRelease('registry.example.com:5000/orders'), 'CDS-R7'))
      .toEqual(['Stack/Release: service "orders" runs registry.example.com:5000/orders in Stack/OrdersTask/web']);
  });
});

describe('CDS-R7 pinned versions, Kubernetes', () => {
  function k8sRelease(image: string, migration = 'registry.example.com/migrate:3.0.0') {
    const chart = k8sChart();
    const payments = new k8s.PlainCanary(chart, 'payments', { strategy: Strategy.CANARY_10PERCENT_5MINUTES, stable: revision('payments', '2.1.0'), replicas: 10 });
    const orders = new k8s.PlainCanary(chart, 'orders', { strategy: Strategy.CANARY_10PERCENT_5MINUTES, stable: revision('orders', '3.0.0', image), replicas: 10 });
    new k8s.KubernetesRelease(chart, 'release', { release: release({ payments: '2.1.0', orders: '3.0.0' }), services: { payments, orders }, migration: { image: migration } });
    return chart;
  }

  test('compliant: every image tagged with its version', () => {
    expect(findings(k8sRelease('registry.example.com/orders:3.0.0'), 'CDS-R7')).toEqual([]);
  });

  test('non-compliant: latest, untagged, and the migration Job too', () => {
    expect(findings(k8sRelease('registry.example.com/orders:latest', 'migrate'), 'CDS-R7')).toEqual([
      'shop/release: service "orders" runs registry.example.com/orders:latest in shop/orders/Stable container main',
      'shop/release: service "migration" runs migrate in shop/release/Migration container migrate',
    ]);
  });

  test('a rollout outside a release is not checked', () => {
    const chart = k8sChart();
    new k8s.PlainCanary(chart, 'web', { strategy: Strategy.CANARY_10PERCENT_5MINUTES, stable: revision('web', '1.0.0', 'nginx:latest'), replicas: 10 });
    expect(guardrails.Guardrails.report(chart, guardrails.GuardrailPack.recommended()).findings.filter(f => f.ruleId === 'CDS-R7')).toEqual([]);
  });
});
