/**
 * The fields a merchant sets on a checkout session, echoed as given, shared by the session object and
 * the link objects (a link carries the fields each of its sessions is made from). One place, so the
 * two objects cannot drift apart in how they show the same stored definition. `definition` is the
 * validated create body as stored; fields it lacks are shown as `null` (or `[]` for lists).
 */
export function sessionFieldsView(definition: Record<string, any>) {
  const f = definition;
  return {
    type: f.type,
    ...(f.type === 'options' ? { options: f.options } : {}),
    ...(f.type === 'preset' ? { preset: f.preset } : {}),
    statement_descriptor: f.statement_descriptor ?? null,
    description: f.description ?? null,
    success_message: f.success_message ?? null,
    success_url: f.success_url ?? null,
    cancel_url: f.cancel_url ?? null,
    metadata: f.metadata ?? null,
    cashback: f.cashback ?? null,
    title: f.title ?? null,
    title_description: f.title_description ?? null,
    title_image: f.title_image ?? null,
    custom_fields: f.custom_fields ?? [],
    source: f.source ?? null,
    source_id: f.source_id ?? null,
  };
}
