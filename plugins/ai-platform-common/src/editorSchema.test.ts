import Ajv from 'ajv';
import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';

const root = path.resolve(__dirname, '..');
const repoRoot = path.resolve(root, '../..');

function loadJson(file: string) {
  return JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
}

// The combined schema that README tells editors to use, resolved the way
// yaml-language-server resolves it: relative $refs against its own location.
function compileEditorSchema() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  for (const kind of ['Model', 'InferenceEndpoint', 'GpuPool']) {
    ajv.addSchema(
      loadJson(`src/kinds/${kind}.v1alpha1.schema.json`),
      `../src/kinds/${kind}.v1alpha1.schema.json`,
    );
  }
  return ajv.compile(loadJson('schemas/catalog-info.schema.json'));
}

function documents(dir: string) {
  return fs
    .readdirSync(dir)
    .filter(f => f.endsWith('.yaml'))
    .flatMap(f =>
      parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map(
        d => [f, d.toJS()] as const,
      ),
    );
}

describe('editor schema (schemas/catalog-info.schema.json)', () => {
  const validate = compileEditorSchema();

  it('accepts every document of the example catalog, whatever its kind', () => {
    const docs = documents(path.join(repoRoot, 'examples'));
    expect(docs.length).toBeGreaterThan(30);
    for (const [file, doc] of docs) {
      expect({
        file,
        doc: doc.metadata?.name,
        errors: validate(doc) ? null : validate.errors,
      }).toEqual({
        file,
        doc: doc.metadata?.name,
        errors: null,
      });
    }
  });

  it('flags the schema-level mistakes of examples/invalid', () => {
    const flagged = documents(path.join(repoRoot, 'examples/invalid')).filter(
      ([, doc]) => !validate(doc),
    );
    // Every file whose mistake a schema can see (not duplicates or cross-entity rules).
    expect(flagged.length).toBeGreaterThanOrEqual(17);
  });
});
