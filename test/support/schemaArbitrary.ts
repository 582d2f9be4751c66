import fc from 'fast-check';

/** The subset of OpenAPI 3.0 schema objects the generated document uses. */
export interface Schema {
  type?: string; enum?: unknown[]; nullable?: boolean; pattern?: string; format?: string;
  minLength?: number; maxLength?: number; minimum?: number; maximum?: number; exclusiveMinimum?: boolean | number;
  items?: Schema; minItems?: number; maxItems?: number;
  properties?: Record<string, Schema>; required?: string[]; additionalProperties?: boolean | Schema;
  anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[]; $ref?: string; default?: unknown;
}

/**
 * fast-check arbitraries driven by the OpenAPI document: `valid` draws values its schema accepts
 * (sizes kept small), `invalid` draws values that break it in one place (wrong type, unknown field,
 * missing required field, out of range).
 */
export function schemaArbitraries(resolve: (ref: string) => Schema) {
  const deref = (s: Schema): Schema => (s.$ref ? deref(resolve(s.$ref)) : s);

  function valid(input: Schema, depth = 0): fc.Arbitrary<unknown> {
    const s = deref(input);
    let arb: fc.Arbitrary<unknown>;
    if (s.enum) arb = fc.constantFrom(...s.enum);
    else if (s.anyOf || s.oneOf) arb = fc.oneof(...(s.anyOf ?? s.oneOf)!.map((b) => valid(b, depth + 1)));
    else if (s.type === 'string') {
      const max = Math.min(s.maxLength ?? 24, 24);
      arb = s.pattern ? fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length <= (s.maxLength ?? Infinity))
        : fc.string({ minLength: s.minLength ?? 0, maxLength: Math.max(max, s.minLength ?? 0) });
    } else if (s.type === 'integer') arb = fc.integer({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e9 });
    else if (s.type === 'number') {
      const min = s.minimum ?? -1e6;
      arb = fc.oneof(fc.integer({ min: Math.ceil(min), max: s.maximum ?? 1e9 }), fc.double({ min, max: s.maximum ?? 1e9, noNaN: true }))
        .filter((n) => !(s.exclusiveMinimum === true && n === s.minimum));
    } else if (s.type === 'boolean') arb = fc.boolean();
    else if (s.type === 'array') arb = fc.array(valid(s.items ?? {}, depth + 1), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 3, 3) });
    else if (s.type === 'object' || s.properties) arb = object(s, depth);
    else arb = fc.jsonValue({ maxDepth: 1 });
    return s.nullable ? fc.option(arb, { nil: null, freq: 4 }) : arb;
  }

  function object(s: Schema, depth: number): fc.Arbitrary<unknown> {
    const props = Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, valid(v, depth + 1)]));
    const record = fc.record(props, { requiredKeys: (s.required ?? []).filter((k) => k in props) });
    if (typeof s.additionalProperties === 'object' && depth < 3) {
      return fc.tuple(record, fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), valid(s.additionalProperties, depth + 1), { maxKeys: 3 }))
        .map(([r, extra]) => ({ ...extra, ...(r as object) }));
    }
    return record;
  }

  /** A value that breaks `input` in one place. */
  function invalid(input: Schema): fc.Arbitrary<unknown> {
    const s = deref(input);
    const wrongType = fc.constantFrom<unknown>(...[[], 'x', 12.5, true, { a: 1 }, null].filter((v) => !fits(s, v)));
    const options: fc.Arbitrary<unknown>[] = [wrongType];
    if (s.type === 'object' && s.properties) {
      const names = Object.keys(s.properties);
      const base = valid(s) as fc.Arbitrary<Record<string, unknown>>;
      if (s.additionalProperties === false) options.push(base.map((v) => ({ ...v, unknown_field_xyz: 1 })));
      if (s.required?.length) options.push(fc.tuple(base, fc.constantFrom(...s.required)).map(([v, k]) => { const c = { ...v }; delete c[k]; return c; }));
      if (names.length) {
        options.push(fc.tuple(base, fc.constantFrom(...names)).chain(([v, k]) => invalid(s.properties![k]).map((bad) => ({ ...v, [k]: bad }))));
      }
    }
    if ((s.type === 'integer' || s.type === 'number') && s.maximum !== undefined) options.push(fc.constant(s.maximum + 1));
    if ((s.type === 'integer' || s.type === 'number') && s.minimum !== undefined) options.push(fc.constant(s.minimum - 1));
    if (s.type === 'string' && s.maxLength !== undefined && s.maxLength < 3000) options.push(fc.constant('x'.repeat(s.maxLength + 1)));
    return fc.oneof(...options);
  }

  function fits(s: Schema, v: unknown): boolean {
    if (v === null) return Boolean(s.nullable);
    if (Array.isArray(v)) return s.type === 'array';
    if (typeof v === 'object') return s.type === 'object' || Boolean(s.properties) || !s.type;
    if (typeof v === 'number') return (s.type === 'number' || !s.type) && !s.enum;
    if (typeof v === 'boolean') return s.type === 'boolean' || !s.type;
    return (s.type === 'string' || !s.type) && !s.enum && !s.pattern;
  }

  return { valid, invalid, deref };
}
