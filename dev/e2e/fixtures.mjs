// Offline stand-ins for the data sources the example workflows read, served on 127.0.0.1 by the
// runner: a CSV of citizens with payment due dates (examples/scheduled-reminder.json) and a JSON
// extract shaped like Moldova's open data on companies (examples/companies-open-data.json).
import http from 'node:http';

const DAY_MS = 24 * 60 * 60 * 1000;

/** `yyyy-MM-dd` of today + `days`, in UTC (n8n runs with GENERIC_TIMEZONE=UTC in the e2e). */
export function isoDate(days = 0) {
	return new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Citizens with a payment due. Three are due in 3 days (the example's N): two that the sandbox
 * delivers and 2000000000999, a recipient the sandbox fails on purpose; the others are due on other
 * days and must be filtered out. Generated per run, relative to today, so the filter is deterministic.
 */
export function citizens() {
	return [
		{ idnp: '2000000000000', fullName: 'Maria Ceban', dueDate: isoDate(3), amount: '1250' },
		{ idnp: '2000000000001', fullName: 'Andrei Rusu', dueDate: isoDate(3), amount: '830' },
		{ idnp: '2000000000999', fullName: 'Ion Popescu', dueDate: isoDate(3), amount: '410' },
		{ idnp: '2000000000002', fullName: 'Elena Ciobanu', dueDate: isoDate(10), amount: '990' },
		{ idnp: '2000000000003', fullName: 'Vasile Lungu', dueDate: isoDate(1), amount: '75' },
	].map((c) => ({ ...c, service: 'Impozitul pe bunurile imobiliare' }));
}

export function citizensCsv() {
	const rows = citizens();
	const header = Object.keys(rows[0]);
	const cell = (v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
	return (
		[header.join(','), ...rows.map((r) => header.map((h) => cell(r[h])).join(','))].join('\n') +
		'\n'
	);
}

/**
 * Companies as the State Register of legal units publishes them on date.gov.md (an extract with the
 * usual Romanian column names). One is in liquidation; the example notifies only active ones.
 */
export function companies() {
	return [
		{
			IDNO: '1003600012345',
			Denumirea: 'Exemplu Construct SRL',
			FormaOrganizatorica: 'Societate cu răspundere limitată',
			DataInregistrarii: '2004-03-17',
			Statutul: 'Activă',
			Adresa: 'mun. Chișinău, str. Ștefan cel Mare 1',
		},
		{
			IDNO: '1012600034567',
			Denumirea: 'Agro Nord SA',
			FormaOrganizatorica: 'Societate pe acțiuni',
			DataInregistrarii: '2012-09-05',
			Statutul: 'Activă',
			Adresa: 'mun. Bălți, str. Independenței 22',
		},
		{
			IDNO: '1008600056789',
			Denumirea: 'Vechi Comerț SRL',
			FormaOrganizatorica: 'Societate cu răspundere limitată',
			DataInregistrarii: '2008-01-30',
			Statutul: 'În proces de lichidare',
			Adresa: 'or. Cahul, str. Republicii 5',
		},
	];
}

/** Starts the fixture server on a free port of 127.0.0.1. Returns {url, requests, close()}. */
export async function startFixtureServer() {
	const requests = [];
	const server = http.createServer((req, res) => {
		requests.push(`${req.method} ${req.url}`);
		const path = req.url.split('?')[0];
		if (path === '/citizens.csv') {
			res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' });
			return res.end(citizensCsv());
		}
		if (path === '/companies.json') {
			res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
			return res.end(JSON.stringify(companies()));
		}
		res.writeHead(404, { 'content-type': 'text/plain' });
		res.end('not found');
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	return {
		url: `http://127.0.0.1:${server.address().port}`,
		requests,
		close: () => new Promise((resolve) => server.close(() => resolve())),
	};
}
