/** Next steps: exact CLI commands first, then the console links. */
import { LIMITS } from '../escape';
import { code, command, joinSegments, type Line, text, url } from './document';
import { isRuntime, isVulnerability, succeeded } from './format';
import { isMemberRoleFailure } from './kinds';
import {
  ecsTaskUrl,
  evidenceUrl,
  executionUrl,
  guardDutyFindingUrl,
  inspectorImageUrl,
  LINKABLE,
  regionOf,
} from './links';
import { SAFE_ARN } from './metadata';
import { resultLines } from './results';
import type { NotificationInput } from './types';

const RELEASE_STATUS = /contain|isolat|quarantin|stopp/i;

export function nextSteps(input: NotificationInput, incidentId: string | undefined): Line[] {
  const f = input.finding;
  const steps: Line[] = [];
  const exec = input.execution?.arn;
  const runtime = isRuntime(f) ? f : undefined;
  const release = (why: string): void => {
    if (incidentId) steps.push([text(`${why}: `), command(`shield-right release ${incidentId}`)]);
  };
  const respond = (why: string): void => {
    if (runtime?.task && !runtime.sample) {
      steps.push([
        text(`${why}: `),
        command(`shield-right respond --finding-id ${runtime.findingId} --force`),
      ]);
    }
  };
  switch (input.kind) {
    case 'image-quarantined':
      if (isVulnerability(f)) {
        steps.push(rebuildStep(f), [
          text('Redeploy every service that runs the image (see the exposure list).'),
        ]);
        release('After redeploying, lift the image quarantine');
        break;
      }
      steps.push([text('Investigate with the evidence and the links below before releasing anything.')]);
      release('When the investigation is over, lift the containment');
      break;
    case 'contained':
    case 'isolated':
    case 'already-contained':
      steps.push([text('Investigate with the evidence and the links below before releasing anything.')]);
      release('When the investigation is over, lift the containment');
      break;
    case 'repeat': {
      const contained =
        RELEASE_STATUS.test(input.repeat?.status ?? '') || resultLines(input.results, runtime).length > 0;
      if (contained) release('When the investigation is over, lift the containment');
      else respond('To act now');
      break;
    }
    case 'notify-only':
    case 'exempt':
    case 'observe':
      respond('If you decide to act, contain the task');
      break;
    case 'cap-reached':
      respond('To act anyway, contain the task');
      if (exec)
        steps.push([
          text('Or run the response again once the window has passed: '),
          command(`shield-right rerun ${exec}`),
        ]);
      break;
    case 'step-failed':
      if (exec) {
        steps.push([
          text('Fix the cause, then redrive from the failed step: '),
          command(`shield-right redrive ${exec}`),
        ]);
        steps.push([text('Or start the response over: '), command(`shield-right rerun ${exec}`)]);
      }
      break;
    case 'vulnerability':
      steps.push(rebuildStep(f));
      steps.push([text('Redeploy every service that runs the image (see the exposure list).')]);
      if (succeeded(input.results?.quarantine)) release('After redeploying, lift the image quarantine');
      break;
    case 'vulnerability-finding-closed':
      steps.push([text('Redeploy every service that ran the digest with a rebuilt image.')]);
      release('Then lift the quarantine by hand');
      break;
    case 'invalid-input':
      steps.push(
        isMemberRoleFailure(input)
          ? [
              text('Deploy the member role in that account ('),
              command('npm run member-template'),
              text(
                ', rolled out with a StackSet) trusting this deployment, with its name as memberAccountRoleName; then ',
              ),
              ...(exec ? [command(`shield-right rerun ${exec}`)] : [text('rerun the response')]),
            ]
          : [text('Look at the stored raw event, then fix the rule or the producer that sent it.')],
      );
      break;
    case 'sample':
      steps.push([text('Nothing to do: sample findings name placeholder resources.')]);
      break;
  }
  return [...steps, ...links(input)];
}

function rebuildStep(f: NotificationInput['finding']): Line {
  if (!isVulnerability(f)) return [text('Rebuild the image with fixed package versions.')];
  const fixes = f.packages.filter((p) => p.fixedInVersion).slice(0, 5);
  if (fixes.length === 0)
    return [text('Rebuild the image once a fix is available, or remove the vulnerable package.')];
  const pins = fixes.map((p) => code(`${p.name} ${p.fixedInVersion ?? ''}`, LIMITS.short));
  return [text('Rebuild the image with '), ...joinSegments(pins, ', '), text(' (or later)')];
}

export function links(input: NotificationInput): Line[] {
  const f = input.finding;
  const out: Line[] = [];
  const home = regionOf(input.region, input.region);
  const ok = (pattern: RegExp, value: unknown): value is string =>
    typeof value === 'string' && pattern.test(value);
  if (isRuntime(f)) {
    const region = regionOf(f.region, home);
    if (ok(LINKABLE.findingId, f.findingId)) {
      out.push([text('GuardDuty finding: '), url(guardDutyFindingUrl(region, f.findingId))]);
    }
    if (f.task && ok(LINKABLE.cluster, f.cluster.name) && ok(LINKABLE.taskId, f.task.id)) {
      out.push([text('ECS task: '), url(ecsTaskUrl(region, f.cluster.name, f.task.id))]);
    }
  }
  if (
    isVulnerability(f) &&
    ok(LINKABLE.repository, f.image.repository) &&
    ok(LINKABLE.digest, f.image.digest)
  ) {
    const region = regionOf(f.region, home);
    out.push([
      text('Inspector findings for the image: '),
      url(inspectorImageUrl(region, f.image.repository, f.image.digest)),
    ]);
  }
  const exec = input.execution?.arn;
  if (ok(SAFE_ARN, exec)) out.push([text('Step Functions execution: '), url(executionUrl(home, exec))]);
  const e = input.evidence;
  if (e && ok(LINKABLE.bucket, e.bucket) && ok(LINKABLE.key, e.key)) {
    out.push([text('Evidence: '), url(evidenceUrl(home, e.bucket, e.key))]);
  }
  return out;
}
