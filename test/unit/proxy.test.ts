import { getProxyForUrl } from 'proxy-from-env';

import { describeProxy, proxyFor } from '../../nodes/MNotify/transport/proxy';

const STAGING = 'https://mnotify.staging.egov.md:8443';

/** The environments to compare with proxy-from-env, the package n8n's HTTP Request relies on. */
const ENVIRONMENTS: Array<Record<string, string>> = [
	{},
	{ HTTPS_PROXY: 'http://proxy.gov.md:3128' },
	{ https_proxy: 'proxy.gov.md:3128' },
	{ HTTP_PROXY: 'http://only-for-http:3128' },
	{ ALL_PROXY: 'http://all.gov.md:8080' },
	{ npm_config_https_proxy: 'http://npm.gov.md:3128', HTTPS_PROXY: 'http://env.gov.md:3128' },
	{ HTTPS_PROXY: 'http://p:3128', NO_PROXY: '*' },
	{ HTTPS_PROXY: 'http://p:3128', NO_PROXY: 'mnotify.staging.egov.md' },
	{ HTTPS_PROXY: 'http://p:3128', NO_PROXY: '.egov.md' },
	{ HTTPS_PROXY: 'http://p:3128', NO_PROXY: '*.egov.md' },
	{ HTTPS_PROXY: 'http://p:3128', no_proxy: 'egov.md' },
	{ HTTPS_PROXY: 'http://p:3128', NO_PROXY: 'staging.egov.md:443' },
	{ HTTPS_PROXY: 'http://p:3128', NO_PROXY: 'mnotify.staging.egov.md:8443' },
	{ HTTPS_PROXY: 'http://p:3128', NO_PROXY: 'localhost, 127.0.0.1 ,.example.md' },
	{ HTTPS_PROXY: 'http://p:3128', NO_PROXY: 'MNOTIFY.STAGING.EGOV.MD' },
];
const ORIGINS = [
	STAGING,
	'https://mnotify.gov.md:8443',
	'https://127.0.0.1:8443',
	'https://api.example.md',
];

describe('which proxy a request to MNotify goes through', () => {
	const saved = { ...process.env };
	afterEach(() => {
		for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
		Object.assign(process.env, saved);
	});

	it.each(ENVIRONMENTS)('decides as n8n does (proxy-from-env) for %j', (environment) => {
		for (const key of Object.keys(process.env)) {
			if (/(^|_)(https?|all|no)_proxy$|^npm_config_proxy$/i.test(key)) delete process.env[key];
		}
		Object.assign(process.env, environment);
		for (const origin of ORIGINS) {
			expect([origin, proxyFor(origin, environment)]).toEqual([
				origin,
				getProxyForUrl(origin) || undefined,
			]);
		}
	});

	it('names a proxy without its user or password', () => {
		expect(describeProxy('http://ion:secret@proxy.gov.md:3128')).toBe('http://proxy.gov.md:3128');
		expect(describeProxy('not a url')).toBe('the configured proxy');
	});
});
