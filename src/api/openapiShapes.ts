/**
 * Rewrites of the document zod-to-openapi generates, for what a JSON schema generated from zod cannot
 * say in a form client generators handle. Each keeps the document exactly as strict as the validation
 * (test/api/schemathesis.test.ts holds it to that) and makes it friendlier to generators
 * (test/api/generatedClient.test.ts builds a client from it).
 */

type Schema = Record<string, any>;
interface Doc { components?: { schemas?: Record<string, unknown> } }

/**
 * The create bodies (session and both links) as variants by `type`, each carrying every property it
 * accepts, so generated clients build a full model from any of them (a top-level `anyOf` that only
 * constrains `type` makes openapi-generator drop every field). Their names sort as listed (Options,
 * Preset, Price): typescript-fetch takes the first variant, in name order, whose required properties
 * are present, and an options or preset body may carry an (ignored) `amount`. The minimum `ttl`
 * depends on the configuration (CHECKOUT_MIN_TTL_SECONDS), so it is set here.
 */
export function amountVariants(doc: Doc, base: Schema, minTtl: number): Schema {
  const { options, preset, ...common } = base.properties as Record<string, Schema>;
  common.ttl = { ...common.ttl, minimum: minTtl, description: 'seconds until the session expires' };
  const optionsList = {
    ...options,
    items: { type: 'number', minimum: 0, exclusiveMinimum: true, description: 'an amount in `currency` (a numeric string such as "10.5" is accepted too)' },
  };
  const required = (base.required as string[] | undefined) ?? [];
  const variant = (type: string, description: string, extra: Schema, req: string[], amount: Schema) => ({
    type: 'object',
    description,
    properties: { ...common, amount, type: { type: 'string', enum: [type], ...(type === 'fixed' ? { default: 'fixed' } : {}) }, ...extra },
    required: [...new Set([...required, ...req])],
    additionalProperties: false,
  });
  const ignored = { ...common.amount, description: 'ignored: the customer picks the amount' };
  const schemas = doc.components!.schemas!;
  schemas.CheckoutParamsOptions = variant('options', 'type options: the customer picks one of `options`.', { options: optionsList }, ['type', 'options'], ignored);
  schemas.CheckoutParamsPreset = variant('preset', 'type preset: the customer picks an amount within `preset`.', { preset }, ['type', 'preset'], ignored);
  schemas.CheckoutParamsPrice = variant('fixed', 'type fixed (the default): `amount` is the price.', {}, ['amount'], {
    ...common.amount, minimum: 0, exclusiveMinimum: true,
    description: 'the price in `currency`, with at most its decimals (0 for SATS and JPY, 8 for BTC, 2 otherwise)',
  });
  schemas.CheckoutParams = {
    description: `${base.description ?? ''}. One of three variants by \`type\`: fixed (the default; \`amount\` required), `
      + 'options (`options` required) or preset (`preset` required); `amount` is ignored unless fixed.',
    oneOf: ['CheckoutParamsOptions', 'CheckoutParamsPreset', 'CheckoutParamsPrice'].map((n) => ({ $ref: `#/components/schemas/${n}` })),
  };
  return { $ref: '#/components/schemas/CheckoutParams' };
}

const PRIMITIVES = new Set(['string', 'number', 'integer', 'boolean']);

/** The C0 control characters the edge refuses in every string (all but tab, line feed and carriage return; src/domain/text.ts). */
const CONTROL = '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f';
/** A request string as the edge accepts it. */
export const TEXT_PATTERN = `^[^${CONTROL}]*$`;
/** The same with at least one character that is not white space (fields trimmed and then required). */
export const NONBLANK_TEXT_PATTERN = `^[^${CONTROL}]*[^\\s${CONTROL}][^${CONTROL}]*$`;

/**
 * An `anyOf` of primitive types (metadata values: string, number or boolean) becomes a schema without
 * a type that excludes every other kind of value: generators make it a plain `Any` (openapi-generator
 * wraps an `anyOf` of primitives in a class that refuses plain values and serialises wrongly), while a
 * validator or fuzzer still sees exactly what is accepted. `maxLength` of the string branch is kept as
 * an excluded longer string.
 */
export function primitiveUnions(node: unknown): void {
  if (Array.isArray(node)) { node.forEach(primitiveUnions); return; }
  if (!node || typeof node !== 'object') return;
  const s = node as Schema;
  // zod-to-openapi writes a `z.null()` member of a union as a branch `{ nullable: true }`.
  const isNull = (b: Schema) => Object.keys(b).length === 1 && b.nullable === true;
  const branches: Schema[] = Array.isArray(s.anyOf) ? s.anyOf.filter((b: Schema) => !isNull(b)) : [];
  if (branches.length > 1 && branches.every((b) => PRIMITIVES.has(b.type) && Object.keys(b).every((k) => k === 'type' || k === 'maxLength'))) {
    const nullable = s.nullable === true || branches.length < s.anyOf.length;
    const types = new Set(branches.map((b) => b.type));
    const maxLength = branches.find((b) => b.type === 'string')?.maxLength;
    const excluded: Schema[] = [{ type: 'object' }, { type: 'array', items: {} }, ...(nullable ? [] : [{ nullable: true, enum: [null] }])];
    for (const t of ['string', 'number', 'boolean']) if (!types.has(t) && !(t === 'number' && types.has('integer'))) excluded.push({ type: t });
    if (maxLength !== undefined) excluded.push({ type: 'string', minLength: maxLength + 1 });
    if (types.has('string')) excluded.push({ type: 'string', pattern: `[${CONTROL}]` });
    delete s.anyOf;
    s.description ??= [...types, ...(nullable ? ['null'] : [])].join(', ').replace(/, (\w+)$/, ' or $1')
      + (maxLength !== undefined ? ` (a string of at most ${maxLength} characters)` : '');
    s.not = { anyOf: excluded };
    if (nullable) s.nullable = true;
    return;
  }
  Object.values(s).forEach(primitiveUnions);
}

/**
 * The edge's string rule (no C0 control character but tab, LF and CR) on every request string that
 * has no stricter pattern: a fuzzer drawing valid strings from the document stays within what the API
 * accepts, and a generated client can check it. `\\S` (a trimmed field that must not be blank)
 * becomes the same rule with one non-space character.
 */
export function textRule(doc: { paths: Record<string, Record<string, any>>; components?: { schemas?: Record<string, any> } }): void {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) { node.forEach(visit); return; }
    if (!node || typeof node !== 'object') return;
    const s = node as Schema;
    if (s.type === 'string' && !s.enum && !s.format) {
      if (s.pattern === undefined) s.pattern = TEXT_PATTERN;
      else if (s.pattern === '\\S') s.pattern = NONBLANK_TEXT_PATTERN;
    }
    Object.entries(s).forEach(([k, v]) => { if (k !== 'not') visit(v); });
  };
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item)) {
      visit(op.requestBody);
      visit((op.parameters ?? []).filter((p: Schema) => p.in === 'query'));
    }
  }
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) if (name.startsWith('CheckoutParams')) visit(schema);
}
