// Lints Cypher statements with Neo4j's own front end (parser + semantic analysis).
//
// stdin:  JSON [{"name": "graph.repo.people.CREATE_PERSON", "query": "...", "parameters": ["id"]}]
// stdout: JSON [{"name": ..., "diagnostics": [{"severity": "error"|"warning"|..., "message": ...,
//                "line": 1-based, "column": 1-based, "deprecated": bool}]}], same order as stdin.
// Exit 0 when it could lint (whatever it found); non-zero only when it could not run.
//
// Parameters are declared (with a dummy value) so "Parameter $x is not defined" is only raised
// for names the caller did not list. The default language is Cypher 5, what Neo4j 5 runs.
//
// The front end takes a few hundred milliseconds per statement, so new statements are linted in
// worker threads, and results are cached under node_modules/.cache/ keyed by the package
// version, this script and the statement: only new or changed statements are linted again, and
// `npm ci` (which empties node_modules) clears the cache. CYPHER_LINT_NO_CACHE=1 bypasses it.
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const SEVERITY = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };
const DEPRECATED_TAG = 2; // DiagnosticTag.Deprecated in the language server protocol
const CACHE_DIR = join(HERE, 'node_modules', '.cache', 'carecircles-cypher-lint');
const LINTER_VERSION = createHash('sha256')
  .update(readFileSync(join(HERE, 'node_modules/@neo4j-cypher/language-support/package.json')))
  .update(readFileSync(fileURLToPath(import.meta.url)))
  .digest('hex');

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

let lintCypherQuery; // loaded on first use: importing the front end alone takes seconds

async function diagnose(query, parameters) {
  lintCypherQuery ??= (await import('@neo4j-cypher/language-support')).lintCypherQuery;
  const dbSchema = {
    defaultLanguage: 'CYPHER 5',
    parameters: Object.fromEntries(parameters.map((p) => [p, null])),
  };
  const { diagnostics } = lintCypherQuery(query, dbSchema, { consoleCommandsEnabled: false });
  return diagnostics.map((d) => ({
    severity: SEVERITY[d.severity] ?? String(d.severity),
    message: d.message,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    deprecated: (d.tags ?? []).includes(DEPRECATED_TAG) || /deprecat/i.test(d.message),
  }));
}

function cacheFile(query, parameters) {
  const key = createHash('sha256')
    .update(JSON.stringify([LINTER_VERSION, query, [...parameters].sort()]))
    .digest('hex');
  return join(CACHE_DIR, `${key}.json`);
}

function fromCache(query, parameters) {
  try {
    return JSON.parse(readFileSync(cacheFile(query, parameters), 'utf8'));
  } catch {
    return undefined;
  }
}

// Lints statements in worker threads (the semantic analysis is CPU-bound, ~0.2 s a statement).
async function lintInParallel(jobs, useCache) {
  const threads = Math.max(1, Math.min(availableParallelism(), 4, Math.ceil(jobs.length / 8)));
  const shares = Array.from({ length: threads }, (_, i) => jobs.filter((_, j) => j % threads === i));
  const answers = await Promise.all(
    shares.map(
      (share) =>
        new Promise((resolve, reject) => {
          const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { jobs: share, useCache } });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  return new Map(answers.flat().map(({ index, diagnostics }) => [index, diagnostics]));
}

if (!isMainThread) {
  const { jobs, useCache } = workerData;
  const answers = [];
  for (const { index, query, parameters } of jobs) {
    const diagnostics = await diagnose(query, parameters);
    if (useCache) {
      // Written as each statement is done, so an interrupted run keeps what it finished.
      mkdirSync(CACHE_DIR, { recursive: true });
      writeFileSync(cacheFile(query, parameters), JSON.stringify(diagnostics));
    }
    answers.push({ index, diagnostics });
  }
  parentPort.postMessage(answers);
} else {
  const statements = JSON.parse(await readStdin());
  const useCache = process.env.CYPHER_LINT_NO_CACHE !== '1';
  const known = statements.map(({ query, parameters = [] }) =>
    useCache ? fromCache(query, parameters) : undefined,
  );
  const jobs = statements
    .map(({ query, parameters = [] }, index) => ({ index, query, parameters }))
    .filter(({ index }) => known[index] === undefined);
  const linted = jobs.length > 0 ? await lintInParallel(jobs, useCache) : new Map();
  const results = statements.map(({ name }, index) => ({
    name,
    diagnostics: known[index] ?? linted.get(index),
  }));
  process.stdout.write(JSON.stringify(results, null, 1) + '\n');
}
