// Lints Cypher statements with Neo4j's own front end (parser + semantic analysis).
//
// stdin:  JSON [{"name": "graph.repo.people.CREATE_PERSON", "query": "...", "parameters": ["id"]}]
// stdout: JSON [{"name": ..., "diagnostics": [{"severity": "error"|"warning"|..., "message": ...,
//                "line": 1-based, "column": 1-based, "deprecated": bool}]}], same order as stdin.
// Exit 0 when it could lint (whatever it found); non-zero only when it could not run.
//
// Parameters are declared (with a dummy value) so "Parameter $x is not defined" is only raised
// for names the caller did not list. The default language is Cypher 5, what Neo4j 5 runs.
import { lintCypherQuery } from '@neo4j-cypher/language-support';

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const statements = JSON.parse(await readStdin());
const results = statements.map(({ name, query, parameters = [] }) => {
  const dbSchema = {
    defaultLanguage: 'CYPHER 5',
    parameters: Object.fromEntries(parameters.map((p) => [p, null])),
  };
  const { diagnostics } = lintCypherQuery(query, dbSchema, { consoleCommandsEnabled: false });
  return {
    name,
    diagnostics: diagnostics.map((d) => ({
      severity: SEVERITY[d.severity] ?? String(d.severity),
      message: d.message,
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
      deprecated: (d.tags ?? []).includes(2) || /deprecat/i.test(d.message),
    })),
  };
});
process.stdout.write(JSON.stringify(results, null, 1) + '\n');
