/**
 * A table's columns, listed once in its repository and used for every `select` and `returning`: a
 * repository never asks for `*`, so a column added by a migration changes no query's result (and no
 * prepared statement's plan, src/db/prepared.ts) until the repository and its row type take it up.
 *
 * `columnsOf<Row>()([...])` is checked by the compiler against the row type: a name the type does not
 * have, or a field of the type left out, does not compile. test/api/repositoryColumns.test.ts checks
 * the lists against the migrated database.
 */
export function columnsOf<Row>() {
  return <const List extends readonly (keyof Row & string)[]>(
    list: List & (Exclude<keyof Row & string, List[number]> extends never ? unknown : { missing: Exclude<keyof Row & string, List[number]> }),
  ): readonly (keyof Row & string)[] => list;
}

/** The same columns qualified by a table alias, for joins: `p.id`, `p.amount`, … */
export function qualified(alias: string, columns: readonly string[]): string[] {
  return columns.map((c) => `${alias}.${c}`);
}
