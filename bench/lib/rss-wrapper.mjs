/**
 * Fallback memory probe when GNU time is missing: `node rss-wrapper.mjs RSS_FILE (SCRIPT | -e CODE) ARGS...`
 * runs the script in this very process, so process.resourceUsage().maxRSS at exit is the script's
 * peak (plus this wrapper's few kilobytes). Written in kilobytes, as GNU time reports it.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [rssFile, target, ...rest] = process.argv.slice(2);
process.on('exit', () => writeFileSync(rssFile, String(process.resourceUsage().maxRSS)));
if (target === '-e') {
  // `node -e CODE`: the start-up baseline; evaluate the code the way `node -e` would.
  await import(`data:text/javascript,${encodeURIComponent(rest[0] ?? '')}`);
} else {
  process.argv = [process.argv[0], resolve(target), ...rest];
  await import(pathToFileURL(resolve(target)).href);
}
