// ps-parse.mjs: parses PowerShell files with tree-sitter's PowerShell grammar and lists every syntax error (no PowerShell runs on Debian here); exit 1 on any.
import { Parser, Language } from 'web-tree-sitter';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
await Parser.init();
const lang = await Language.load(path.join(here, 'node_modules/tree-sitter-powershell/tree-sitter-powershell.wasm'));
const parser = new Parser();
parser.setLanguage(lang);
let errors = 0;
for (const file of process.argv.slice(2)) {
	const src = fs.readFileSync(file, 'utf8');
	const tree = parser.parse(src);
	// The grammar marks what it cannot parse as ERROR nodes and what it had
	// to invent (an unclosed brace) as missing nodes.
	const walk = (n) => {
		if (n.type === 'ERROR' || n.isMissing) {
			errors++;
			const at = `${file}:${n.startPosition.row + 1}:${n.startPosition.column + 1}`;
			const text = src.slice(n.startIndex, Math.min(n.endIndex, n.startIndex + 60)).replace(/\n/g, '\\n');
			console.log(`${at}: ${n.isMissing ? 'missing ' + n.type : 'syntax error'}: ${text}`);
		}
		for (let i = 0; i < n.childCount; i++) walk(n.child(i));
	};
	walk(tree.rootNode);
}
process.exit(errors ? 1 : 0);
