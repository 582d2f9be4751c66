// Lints source snippets as if they were files at given paths, with the repository's ESLint config and
// only its import rules on (no type information needed). Reads [{ filePath, code }] as JSON on stdin,
// writes one list of messages per probe. A separate process: jest's VM cannot load the ESM config.
import { ESLint } from 'eslint';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({
  cwd: root,
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
  ruleFilter: ({ ruleId }) => ruleId.endsWith('no-restricted-imports'),
});
let input = '';
for await (const chunk of process.stdin) input += chunk;
const out = [];
for (const { filePath, code } of JSON.parse(input)) {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  out.push(result.messages.map((m) => `${m.ruleId}: ${m.message}`));
}
process.stdout.write(JSON.stringify(out));
