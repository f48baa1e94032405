import { floating } from '../private/values';
import { IGuardrailRule } from '../rule';
import { GuardrailSubject } from '../subject';

/**
 * CDS-R7: the services of a release pin their versions. The release itself pins exact semver
 * versions (the core refuses anything else); this rule checks what actually runs: no container
 * image of a release's service is `:latest` or untagged (which means `latest`), unless pinned by
 * digest. Images known only at deploy time (tokens, such as an ECR repository's URI) are skipped.
 *
 * @example
 * new guardrails.PinnedVersionsRule();
 */
export class PinnedVersionsRule implements IGuardrailRule {
  public readonly id = 'CDS-R7';
  public readonly explanation = 'the services of a release pin their versions: no container image is :latest or untagged';
  public readonly fix = 'Tag each image with the version the release names (registry.example.com/orders:3.0.0), or pin it by digest';

  public check(subject: GuardrailSubject): string[] {
    if (subject.release === undefined) return [];
    return subject.images
      .filter(i => i.image !== undefined && floating(i.image))
      .map(i => `service "${i.service}" runs ${i.image} in ${i.container}`);
  }
}
