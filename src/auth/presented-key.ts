type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/** The key a request carries: `x-api-key: K` (what API gateways forward) or `Authorization: Bearer K`. */
export function presentedKey(headers: HeaderBag): string | null {
  const direct = headers['x-api-key'];
  const key = Array.isArray(direct) ? direct[0] : direct;
  if (key !== undefined && key !== '') return key.trim();
  const auth = headers.authorization;
  const value = Array.isArray(auth) ? auth[0] : auth;
  const m = value === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(value);
  return m ? m[1] : null;
}
