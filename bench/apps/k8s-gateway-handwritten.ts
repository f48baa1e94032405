// N canary services routed by a Gateway API HTTPRoute, written by hand with cdk8s-plus-28 (which
// has no HTTPRoute, so the route is a plain ApiObject), emitting what the library emits for
// k8s-gateway-library.ts: per revision a Deployment and a Service, and a route weighted 90/10.
import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CANARY_VERSION, CONTAINER_PORT, GATEWAY, hostName, image, measureCdk8s, serviceName, STABLE_VERSION } from '../harness/cdk8s';

const NAME = 'app.kubernetes.io/name';
const VERSION = 'app.kubernetes.io/version';
const ROLE = 'cdk-deploy-strategies.dev/role';
const REPLICAS = 2;
const PORT = 80;

class GatewayCanary extends Construct {
  constructor(scope: Construct, name: string, host: string) {
    super(scope, name);
    // Pods are selected by shared labels rather than cdk8s-plus's per-workload label, so that
    // each Service follows a role (stable, canary), not one Deployment object.
    const revision = (id: string, role: string, version: string) => {
      const labels = { [NAME]: name, [ROLE]: role, [VERSION]: version };
      const workload = new kplus.Deployment(this, id, {
        select: false,
        replicas: REPLICAS,
        containers: [{ image: image(version), portNumber: CONTAINER_PORT }],
        metadata: { labels },
        podMetadata: { labels },
      });
      workload.select(kplus.LabelSelector.of({ labels: { [NAME]: name, [ROLE]: role } }));
      const service = new kplus.Service(this, `${id}Service`, { ports: [{ port: PORT, targetPort: CONTAINER_PORT }] });
      service.selectLabel(NAME, name);
      service.selectLabel(ROLE, role);
      return service;
    };
    const stable = revision('Stable', 'stable', STABLE_VERSION);
    const canary = revision('Canary', 'canary', CANARY_VERSION);
    new ApiObject(this, 'Route', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { labels: { [NAME]: name } },
      spec: {
        parentRefs: [GATEWAY],
        hostnames: [host],
        rules: [{
          backendRefs: [
            { name: stable.name, port: PORT, weight: 900 },
            { name: canary.name, port: PORT, weight: 100 },
          ],
        }],
      },
    });
  }
}

measureCdk8s((app, services) => {
  const chart = new Chart(app, 'shop');
  for (let i = 0; i < services; i++) new GatewayCanary(chart, serviceName(i), hostName(i));
});
