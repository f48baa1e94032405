import { App } from 'aws-cdk-lib';
import { Framework, measure } from './child';

/**
 * aws-cdk-lib apps. The built-in CloudFormation validation is off on every side: it is the same
 * cost for everyone and would dominate the measurement. Version reporting is off too, so no side
 * gets the AWS::CDK::Metadata resource.
 */
const cdk: Framework<App> = {
  createApp: outdir => new App({ outdir, builtinCloudFormationValidation: false, analyticsReporting: false }),
  synth: app => {
    app.synth();
  },
};

/** Measures an aws-cdk-lib app: `build` declares `services` services in `app`. */
export function measureCdk(build: (app: App, services: number) => void): void {
  measure(cdk, build);
}
