/** Bench variant: no observability at all. */
export const handler = async () => ({ statusCode: 200, body: '{"ok":true}' });
