import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { ImageFacts } from '../../guardrails/private/facts';

/** The container images of the workloads below each service's rollout construct (and of extra workloads, such as a migration Job). */
export function k8sImages(services: Map<string, IConstruct>, extra: Array<[string, IConstruct | undefined]> = []): ImageFacts[] {
  const images: ImageFacts[] = [];
  for (const [service, construct] of [...services, ...extra]) {
    if (construct === undefined) continue;
    for (const workload of construct.node.findAll().filter((c): c is kplus.AbstractPod => c instanceof kplus.AbstractPod)) {
      for (const container of workload.containers) {
        images.push({ service, container: `${workload.node.path} container ${container.name}`, image: container.image });
      }
    }
  }
  return images;
}
