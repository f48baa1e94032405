import { App } from 'cdk8s';
import { Framework, measure } from './child';

/** cdk8s apps, each writing one manifest per chart into the output directory. */
const cdk8s: Framework<App> = {
  createApp: outdir => new App({ outdir }),
  synth: app => app.synth(),
};

/** Measures a cdk8s app: `build` declares `services` services in `app`. */
export function measureCdk8s(build: (app: App, services: number) => void): void {
  measure(cdk8s, build);
}

/** The same revisions on both sides: 10 replicas, 1.0.0 stable, 1.1.0 released as a canary. */
export const REPLICAS = 10;
export const STABLE_VERSION = '1.0.0';
export const CANARY_VERSION = '1.1.0';
export const CONTAINER_PORT = 8080;

export function image(version: string): string {
  return `ghcr.io/example/web:${version}`;
}

/** The service's name: its construct id and `app.kubernetes.io/name`. */
export function serviceName(index: number): string {
  return `web${index}`;
}

/** The Gateway the Gateway API variants attach their routes to. */
export const GATEWAY = { name: 'public', namespace: 'gateways' };

export function hostName(index: number): string {
  return `${serviceName(index)}.example.com`;
}
