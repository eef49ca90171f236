/**
 * security-anchors.md §B.2: the 72 open-redirect payloads (with the variants a row lists), for the
 * setting the table assumes: allowed origin https://app.example.com, attacker host evil.com.
 */
export const PAYLOADS: Array<[number, string]> = [
  [1, '//evil.com'],
  [2, '///evil.com'],
  [3, '////evil.com'],
  [4, '/\\evil.com'],
  [5, '/\\/evil.com'],
  [6, '\\/\\/evil.com'],
  [7, '\\\\evil.com'],
  [8, '/%09/evil.com'],
  [9, '/\t/evil.com'],
  [10, '/\n/evil.com'],
  [11, '/%5cevil.com'],
  [12, '/%2f%2fevil.com'],
  [13, '/%5C/evil.com'],
  [14, 'https:evil.com'],
  [15, 'http:/evil.com'],
  [16, 'https:/\\evil.com'],
  [17, 'https:\\\\evil.com'],
  [18, 'HTTPS://evil.com'],
  [18, 'Https://evil.com'],
  [19, 'https://app.example.com@evil.com'],
  [20, 'https://app.example.com:443@evil.com'],
  [21, 'https://evil.com\\@app.example.com'],
  [22, 'https://evil.com#@app.example.com'],
  [23, 'https://evil.com?@app.example.com'],
  [24, 'https://evil.com\\app.example.com'],
  [25, 'https://app.example.com.evil.com'],
  [26, 'https://evilapp.example.com'],
  [27, 'https://app.example.com%2F@evil.com'],
  [28, 'https://app.example.com%2Ftest%2F%40evil.com'],
  [29, 'https://app%2Eexample.com/'],
  [30, '//evil%E3%80%82com'],
  [31, 'https://evil\u3002com'],
  [32, 'https://evil\uff0ecom'],
  [33, 'https://\uff45\uff56\uff49\uff4c.com'],
  [34, 'https://evil.c\u2100.example.com'],
  [35, 'http://a.com\uff0fX.b.com'],
  [36, 'https://xn--pple-43d.com'],
  [37, 'javascript:alert(1)'],
  [38, 'JaVaScRiPt:alert(1)'],
  [39, 'java%0d%0ascript%0d%0a:alert(0)'],
  [40, 'ja\nva\tscript\r:alert(1)'],
  [41, ' javascript:alert(1)'],
  [41, '\x01javascript:alert(1)'],
  [42, 'data:text/html,<script>alert(1)</script>'],
  [43, 'vbscript:msgbox(1)'],
  [44, '%68%74%74%70%3a%2f%2f%67%6f%6f%67%6c%65%2e%63%6f%6d'],
  [45, '/..%2F..%2Fevil.com'],
  [46, '/<>//evil.com'],
  [47, '//evil%00.com'],
  [48, '//evil.com/%2f..'],
  [49, 'https://app.example.com./'],
  [50, 'https://evil.com./'],
  [51, 'https://app.example.com:443/'],
  [52, 'https://APP.EXAMPLE.COM/'],
  [53, 'https://app.example.com:8443/'],
  [54, 'http://app.example.com/'],
  [55, 'http://3627734734'],
  [56, 'http://0xd83ad6ce'],
  [57, 'http://0330.072.0326.0316'],
  [58, 'http://[::ffff:216.58.214.206]'],
  [59, 'http://127.0.0.1@evil.com'],
  [59, 'http://localhost:12324@invalid.com'],
  [60, 'http://localhost.evil.test'],
  [61, 'https://a@b@evil.com'],
  [62, 'malicious.com?.example.com'],
  [63, 'https://evil.com/?https://app.example.com'],
  [64, 'myapp://callback.attacker.tld'],
  [65, 'myapp://host/cb/../evil'],
  [65, 'myapp://host/cb/%2e%2e/evil'],
  [65, 'myapp://host/cb%2f..%2fevil'],
  [66, '/ui/../admin'],
  [66, '/ui/%2e%2e/admin'],
  [67, '/ui/..;/admin'],
  [67, '/ui%2f..%2fadmin'],
  [67, 'https://keycloak.org/test\\..\\'],
  [68, '/ui-evil'],
  [69, 'http:///kratos'],
  [70, 'https://app.example.com/ui/&return_to=https://evil.com'],
  [71, 'https://app.example.com/cb#code=attacker&state=x'],
  [71, '/ui/cb#code=attacker&state=x'],
  [72, '%252F%252Fevil.com'],
];

/** Values that must be accepted in the same setting, so the payload run cannot pass by refusing everything. */
export const ACCEPTED: string[] = [
  '/ui/dashboard',
  '/ui',
  'https://app.example.com/ui',
  'https://app.example.com/ui/x?y=1#z',
  'https://x.trusted.example.net/cb',
  'https://app.example.com/self-service/login/browser',
];

/** Config of the §B.2 setting: the allow-list includes an unsafe `*app.example.com` entry that must be dropped. */
export const PAYLOAD_CONFIG = {
  serve: { public: { base_url: 'https://app.example.com/' } },
  selfservice: {
    default_browser_return_url: 'https://app.example.com/ui/',
    allowed_return_urls: ['https://app.example.com/ui', 'https://*app.example.com/', 'https://*.trusted.example.net/'],
    flows: {
      logout: { after: { default_browser_return_url: 'https://app.example.com/ui/after-logout' } },
      error: { ui_url: 'https://app.example.com/ui/error' },
    },
  },
};

/**
 * Where a browser would land for this Location, judged independently of the validator: the allowed
 * origin under /ui or /self-service, or a subdomain of trusted.example.net.
 */
export function onAllowedTarget(location: string, requestURL = 'https://app.example.com/self-service/logout'): boolean {
  const u = new URL(location, requestURL);
  if (u.username || u.password) return false;
  const under = (p: string) => u.pathname === p || u.pathname.startsWith(`${p}/`);
  if (u.origin === 'https://app.example.com') return under('/ui') || under('/self-service');
  return u.protocol === 'https:' && u.port === '' && u.hostname.endsWith('.trusted.example.net');
}

/** As it would appear literally in a request line: only what cannot be sent raw is percent-encoded. */
export function rawQueryValue(s: string): string {
  return Array.from(s, (ch) => (/^[\x21-\x7e]$/.test(ch) ? ch : encodeURIComponent(ch).replace(/%20/g, '%20'))).join('');
}

export const MODES: Array<[string, (s: string) => string]> = [
  ['raw', rawQueryValue],
  ['encoded', encodeURIComponent],
  ['double-encoded', (s) => encodeURIComponent(encodeURIComponent(s))],
];
