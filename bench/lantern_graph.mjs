// Lighthouse's simulated LCP, taken apart: which requests and main-thread tasks its two graphs
// (optimistic, pessimistic) hold, and when each one starts and ends in the simulation. LCP is
// the mean of the two estimates; each estimate is the end of its graph's last node that is not a
// low-priority image.
//
//   .tools/lighthouse/node_modules/.bin/lighthouse <url> -G   # saves ./latest-run (artifacts)
//   node bench/lantern_graph.mjs latest-run
//
// Needs the Lighthouse installed by `npm install --prefix .tools/lighthouse lighthouse@12`
// (it imports Lighthouse's own modules, so the figures are the ones its report gives).
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const lighthouse = path.join(here, '..', '.tools', 'lighthouse', 'node_modules', 'lighthouse');
const load = (file) => import(pathToFileURL(path.join(lighthouse, file)).href);
const {LanternLargestContentfulPaint} = await load('core/computed/metrics/lantern-largest-contentful-paint.js');
const {defaultSettings} = await load('core/config/constants.js');

const dir = process.argv[2] || 'latest-run';
const read = (name) => JSON.parse(fs.readFileSync(path.join(dir, name)));
const artifacts = read('artifacts.json');
const settings = {...defaultSettings, ...artifacts.settings};
const result = await LanternLargestContentfulPaint.request(
  {
    trace: read('defaultPass.trace.json'),
    devtoolsLog: read('defaultPass.devtoolslog.json'),
    gatherContext: artifacts.GatherContext,
    settings,
    URL: artifacts.URL,
    SourceMaps: [],
    simulator: null,
  },
  {computedCache: new Map(), settings},
);
const ms = (value) => value.toFixed(0).padStart(6);
console.log(`LCP ${ms(result.timing)} ms = mean of optimistic ${ms(result.optimisticEstimate.timeInMs)}` +
  ` and pessimistic ${ms(result.pessimisticEstimate.timeInMs)}`);
for (const [name, estimate] of [['optimistic', result.optimisticEstimate], ['pessimistic', result.pessimisticEstimate]]) {
  console.log(`\n${name} graph: start   end  node`);
  const rows = [...estimate.nodeTimings.entries()].sort((a, b) => a[1].startTime - b[1].startTime);
  for (const [node, timing] of rows) {
    const label = node.type === 'network'
      ? `${node.request.resourceType} ${node.request.priority} ${node.request.url.slice(-60)} (${node.request.transferSize} B, connection ${node.request.connectionId})`
      : `main thread, ${((node.endTime - node.startTime) / 1000).toFixed(0)} ms observed`;
    console.log(`${ms(timing.startTime)} ${ms(timing.endTime)}  ${label}`);
  }
}
