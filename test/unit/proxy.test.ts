import { getProxyForUrl } from 'proxy-from-env';

import { proxyFor } from '../../nodes/MNotify/transport/proxy';

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
			const choice = proxyFor(origin, environment);
			expect([origin, choice.ok && choice.proxy?.url]).toEqual([
				origin,
				getProxyForUrl(origin) || undefined,
			]);
		}
	});

	it('names a proxy by scheme, host and port, without its user or password', () => {
		const choice = proxyFor(STAGING, { HTTPS_PROXY: 'http://ion:s%23cret@proxy.gov.md:3128' });
		expect(choice).toEqual({
			ok: true,
			proxy: { url: 'http://ion:s%23cret@proxy.gov.md:3128', address: 'http://proxy.gov.md:3128' },
		});
	});

	it.each([
		['HTTPS_PROXY', 'http://ion:pa#ss@proxy.gov.md:3128'],
		['HTTPS_PROXY', 'http://ion:pa/ss@proxy.gov.md:3128'],
		['HTTPS_PROXY', 'http://ion:12/ss@proxy.gov.md:3128'],
		['https_proxy', 'http://ion:pa?ss@proxy.gov.md:3128'],
		['ALL_PROXY', 'socks5://ion:secret@proxy.gov.md:1080'],
		['HTTPS_PROXY', 'http://'],
	])('refuses %s=%s without showing it', (variable, value) => {
		const choice = proxyFor(STAGING, { [variable]: value });
		expect(choice.ok).toBe(false);
		if (choice.ok) return;
		expect(choice.problem.message).toBe(`${variable} is not a valid proxy URL`);
		expect(choice.problem.description).toMatch(/percent-encoded \(%23 %2F %3F %40 %3A %25\)/);
		const shown = JSON.stringify(choice.problem);
		for (const part of ['pa#ss', 'pa/ss', '12/ss', 'secret', 'pa?ss'])
			expect(shown).not.toContain(part);
	});

	it('refuses a NO_PROXY entry that is a URL or carries a user, naming only its position', () => {
		const choice = proxyFor(STAGING, {
			HTTPS_PROXY: 'http://proxy.gov.md:3128',
			NO_PROXY: 'localhost,http://ion:secret@egov.md',
		});
		expect(choice).toEqual({
			ok: false,
			problem: {
				message: 'NO_PROXY is not a list of host names (entry 2)',
				description: expect.stringMatching(/not shown here/),
			},
		});
		expect(JSON.stringify(choice)).not.toContain('secret');
	});
});
