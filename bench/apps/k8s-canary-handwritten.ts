// N canary services on plain Kubernetes, written by hand with cdk8s-plus-28, emitting what the
// library emits for k8s-canary-library.ts: a stable and a canary Deployment (9 and 1 of 10
// replicas, step 1 of the canary) and one Service over both.
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CANARY_VERSION, CONTAINER_PORT, image, measureCdk8s, REPLICAS, serviceName, STABLE_VERSION } from '../harness/cdk8s';

const NAME = 'app.kubernetes.io/name';
const VERSION = 'app.kubernetes.io/version';
const ROLE = 'cdk-deploy-strategies.dev/role';
const CANARY_REPLICAS = 1;

class Canary extends Construct {
  constructor(scope: Construct, name: string) {
    super(scope, name);
    // cdk8s-plus selects a workload's pods by a label unique to it; the Service must see the pods
    // of both Deployments, so they select by shared labels instead.
    const deployment = (id: string, role: string, version: string, replicas: number) => {
      const labels = { [NAME]: name, [ROLE]: role, [VERSION]: version };
      const workload = new kplus.Deployment(this, id, {
        select: false,
        replicas,
        containers: [{ image: image(version), portNumber: CONTAINER_PORT }],
        metadata: { labels },
        podMetadata: { labels },
      });
      workload.select(kplus.LabelSelector.of({ labels: { [NAME]: name, [ROLE]: role } }));
    };
    deployment('Stable', 'stable', STABLE_VERSION, REPLICAS - CANARY_REPLICAS);
    deployment('Canary', 'canary', CANARY_VERSION, CANARY_REPLICAS);
    const service = new kplus.Service(this, 'Service', { ports: [{ port: 80, targetPort: CONTAINER_PORT }] });
    service.selectLabel(NAME, name);
  }
}

measureCdk8s((app, services) => {
  const chart = new Chart(app, 'shop');
  for (let i = 0; i < services; i++) new Canary(chart, serviceName(i));
});
