/** The one function the proxy test uses from proxy-from-env (n8n's choice of proxy), untyped upstream. */
declare module 'proxy-from-env' {
	export function getProxyForUrl(url: string): string;
}
