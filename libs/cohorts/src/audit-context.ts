/** Where a request came from, recorded with audit entries (no personal data beyond the address). */
export interface RequestMeta {
  requestId?: string | null;
  ip?: string | null;
}
