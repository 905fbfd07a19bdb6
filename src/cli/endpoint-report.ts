import type { EndpointDescription } from '../client/index.js';
import { alignTable, labelled, shortTime } from './text-table.js';

export function formatEndpointList(endpoints: readonly EndpointDescription[]): string {
  if (endpoints.length === 0) return 'No endpoints; deploy one with: recpipe deploy NAME ARTIFACT_OR_JOB\n';
  const rows = endpoints.map((e) => [
    e.name,
    e.status,
    e.model?.algorithm ?? '-',
    e.model ? String(e.model.users) : '-',
    e.model ? String(e.model.items) : '-',
    shortTime(e.lastModifiedAt),
    e.pendingArtifactUri ? `${e.artifactUri} (updating to ${e.pendingArtifactUri})` : e.artifactUri,
  ]);
  return alignTable(['NAME', 'STATUS', 'ALGORITHM', 'USERS', 'ITEMS', 'MODIFIED (UTC)', 'ARTIFACT'], rows, [
    false,
    false,
    false,
    true,
    true,
    false,
    false,
  ]);
}

export function formatEndpointDetail(e: EndpointDescription): string {
  const pairs: [string, string][] = [
    ['Endpoint', e.name],
    ['Status', e.status],
    ['Model artifact', e.artifactUri],
  ];
  if (e.pendingArtifactUri) pairs.push(['Updating to', e.pendingArtifactUri]);
  if (e.failureReason) pairs.push([e.status === 'Failed' ? 'Failure reason' : 'Note', e.failureReason]);
  pairs.push(['Created (UTC)', shortTime(e.createdAt)], ['Modified (UTC)', shortTime(e.lastModifiedAt)]);
  const m = e.model;
  if (m) {
    pairs.push(
      ['Algorithm', `${m.algorithm}, ${m.nFactors} factors${m.biased ? ', biased' : ''}, scale ${m.scale.min}–${m.scale.max}`],
      [
        'Trained on',
        `${m.ratings.toLocaleString('en-US')} ratings of ${m.users} users and ${m.items} items from ${m.trainingSource} (${shortTime(m.trainedAt)})`,
      ],
    );
  }
  return labelled(pairs);
}
