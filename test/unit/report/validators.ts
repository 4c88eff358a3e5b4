/**
 * Validators shared by the report tests: the SARIF 2.1.0 JSON schema (vendored unchanged, see
 * test/fixtures/reports/README.md) and the project's published JSON report schema.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { FIXTURES } from './fixtures.js';

export type Validator = (data: unknown) => string[];

export function sarifValidator(): Validator {
  const schema = JSON.parse(readFileSync(`${FIXTURES}sarif-2.1.0-rtm.5.json`, 'utf8')) as Record<string, unknown>;
  if (schema.title !== 'Static Analysis Results Format (SARIF) Version 2.1.0-rtm.5 JSON Schema') {
    throw new Error(`unexpected SARIF schema file: ${String(schema.title)}`);
  }
  // draft-04 header keys: Ajv 8 has no draft-04 meta-schema; the body uses no draft-04-only keyword.
  const { $schema: _draft, id: _id, ...body } = schema;
  // unicodeRegExp off: the schema's `language` pattern has a stray `]` that only non-unicode regexps accept.
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, unicodeRegExp: false });
  ajv.addFormat('uri', (v: string) => URL.canParse(v));
  ajv.addFormat('uri-reference', (v: string) => URL.canParse(v, 'http://base.invalid/'));
  ajv.addFormat('date-time', (v: string) => !Number.isNaN(Date.parse(v)) && /^\d{4}-\d{2}-\d{2}T/.test(v));
  const validate = ajv.compile(body);
  return (data) => (validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}

export function auditSchemaValidator(): Validator {
  const schema = JSON.parse(readFileSync(new URL('../../../docs/schema/audit-result.schema.json', import.meta.url), 'utf8'));
  const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
  return (data) => (validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}
