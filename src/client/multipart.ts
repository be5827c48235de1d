// multipart/form-data request bodies (the manifest upload), encoded by the platform's FormData, as bytes
// with their Content-Type (boundary included) so that the one transport sends them like any other body.

export type MultipartField = string | { fileName: string; data: Buffer; contentType?: string };

export async function multipartBody(
  fields: Record<string, MultipartField | undefined>,
): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (typeof value === 'string') form.set(name, value);
    else {
      const type = value.contentType ?? 'application/octet-stream';
      form.set(name, new Blob([value.data], { type }), value.fileName);
    }
  }
  // The origin is never contacted: Request only encodes the form.
  const encoded = new Request('http://multipart.invalid/', { method: 'POST', body: form });
  return {
    body: Buffer.from(await encoded.arrayBuffer()),
    contentType: encoded.headers.get('content-type') ?? 'multipart/form-data',
  };
}
