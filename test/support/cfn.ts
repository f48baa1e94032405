import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';

/** Name of the global that `cfn-validation-environment` installs in each test file. */
export const VALIDATOR_GLOBAL = '__cdsValidateTemplates';

type Validator = (stacks: cdk.PolicyValidationStack[]) => cdk.PolicyValidationPluginReport;

/**
 * Creates a validator backed by one `CloudFormationValidatePlugin`.
 *
 * The plugin rebuilds its engine (~150-250 ms) whenever a template holds a
 * resource type outside the set it was last built for. Validating a throwaway
 * "seed" template with every type seen so far makes it build for the union, so
 * the rebuild happens once per new type instead of whenever the set changes.
 */
export function createTemplateValidator(): Validator {
  let plugin: cdk.CloudFormationValidatePlugin | undefined;
  let root: Construct | undefined;
  const seen = new Set<string>();
  const seedPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-seed-')), 'seed.template.json');

  return stacks => {
    plugin ??= new cdk.CloudFormationValidatePlugin();
    // The plugin never reads appConstruct; an empty root satisfies the interface.
    root ??= new Construct(undefined as unknown as Construct, 'CfnValidationRoot');
    const types = stacks.flatMap(s => resourceTypes(s.templatePath));
    const toValidate = [...stacks];
    if (types.some(t => !seen.has(t))) {
      types.forEach(t => seen.add(t));
      const seed = Object.fromEntries([...seen].map((type, i) => [`Seed${i}`, { Type: type }]));
      fs.writeFileSync(seedPath, JSON.stringify({ Resources: seed }));
      toValidate.push({ stackConstructPath: 'Seed', templatePath: seedPath, accountId: undefined, region: undefined });
    }
    const report = plugin.validate({
      templatePaths: toValidate.map(s => s.templatePath),
      stackTemplates: toValidate, // the plugin only iterates this, not templatePaths
      appConstruct: root,
    });
    const violations = report.violations
      .map(v => ({ ...v, violatingResources: v.violatingResources.filter(r => r.templatePath !== seedPath) }))
      .filter(v => v.violatingResources.length > 0);
    return { ...report, violations, success: !violations.some(isError) };
  };
}

function resourceTypes(templatePath: string): string[] {
  const template = JSON.parse(fs.readFileSync(templatePath, 'utf-8'));
  return Object.values<{ Type?: unknown }>(template.Resources ?? {})
    .map(r => r.Type)
    .filter((t): t is string => typeof t === 'string');
}

function isError(v: cdk.PolicyViolation): boolean {
  return v.severity === 'error' || v.severity === 'fatal';
}

let localValidator: Validator | undefined;

function validate(stacks: cdk.PolicyValidationStack[]): cdk.PolicyValidationPluginReport {
  const shared = (globalThis as Record<string, unknown>)[VALIDATOR_GLOBAL] as ((json: string) => string) | undefined;
  if (shared) {
    // The shared validator lives in another vm realm: exchange JSON strings only.
    return JSON.parse(shared(JSON.stringify(stacks)));
  }
  // Running without the custom environment: works, but pays engine start-up per file.
  localValidator ??= createTemplateValidator();
  return localValidator(stacks);
}

/**
 * An App for tests: CDK's in-synth validation is off (it would start the
 * validation engine again in every test file); `validatedTemplate` validates
 * instead, with the strict semantics of the flag set here.
 */
export function testApp(props: cdk.AppProps = {}): cdk.App {
  return new cdk.App({
    builtinCloudFormationValidation: false,
    ...props,
    context: { [cdk.cx_api.VALIDATE_AGAINST_DEFAULT_RULES]: true, ...props.context },
  });
}

/**
 * Synthesizes the stack's app and runs CloudFormation Validate over every
 * stack template in the assembly (plus the stack's own one if it is nested).
 */
export function validationReport(stack: cdk.Stack): cdk.PolicyValidationPluginReport {
  const assembly = stageOf(stack).synth();
  const known = (value: string, unknown: string) => (value === unknown ? undefined : value);
  const stacks: cdk.PolicyValidationStack[] = assembly.stacksRecursively.map(a => ({
    stackConstructPath: a.hierarchicalId,
    templatePath: a.templateFullPath,
    accountId: known(a.environment.account, cdk.cx_api.UNKNOWN_ACCOUNT),
    region: known(a.environment.region, cdk.cx_api.UNKNOWN_REGION),
  }));
  if (stack.nestedStackParent) {
    // Nested stack templates are assets, not stack artifacts.
    const templatePath = path.join(assembly.directory, stack.templateFile);
    stacks.push({ stackConstructPath: stack.node.path, templatePath, accountId: undefined, region: undefined });
  }

  return validate(stacks);
}

/**
 * `Template.fromStack`, but throws if CloudFormation Validate reports any
 * error/fatal finding in the assembly. Warnings do not fail.
 */
export function validatedTemplate(stack: cdk.Stack): Template {
  const errors = validationReport(stack).violations.filter(isError);
  if (errors.length > 0) {
    const stage = stageOf(stack);
    const assembly = stage.synth();
    const paths = constructPaths(stage);
    const lines = errors.flatMap(v => [
      `[${v.ruleName}] ${v.description}`,
      ...v.violatingResources.map(r => {
        const file = r.templatePath ? path.relative(assembly.directory, r.templatePath) : '?';
        const where = r.resourceLogicalId
          ? `${r.resourceLogicalId} (${paths.get(`${path.basename(file)}#${r.resourceLogicalId}`) ?? 'unknown path'})`
          : r.constructPath ?? '?';
        return `    at ${where} in ${file}${r.locations.length ? ` [${r.locations.join(', ')}]` : ''}`;
      }),
    ]);
    throw new Error(`CloudFormation validation failed with ${errors.length} error(s):\n${lines.join('\n')}`);
  }
  return Template.fromStack(stack);
}

function stageOf(stack: cdk.Stack): cdk.Stage {
  const stage = cdk.Stage.of(stack);
  if (!stage) {
    throw new Error(`${stack.node.path} is not part of a Stage or App`);
  }
  return stage;
}

/** Maps `<template file>#<logical id>` to construct paths, for readable errors. */
function constructPaths(root: Construct): Map<string, string> {
  const paths = new Map<string, string>();
  for (const c of root.node.findAll()) {
    if (cdk.CfnElement.isCfnElement(c)) {
      const stack = cdk.Stack.of(c);
      paths.set(`${stack.templateFile}#${stack.resolve(c.logicalId)}`, c.node.path);
    }
  }
  return paths;
}
