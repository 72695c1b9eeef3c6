import { useSandbox } from '../support/sandbox';
import { runNode, runSteps, sendParameters } from '../support/workflows';

describe('scratch', () => {
	const fixture = useSandbox({ statusStepMs: 50 });
	it('probe', async () => {
		const t0 = Date.now();
		await runNode(sendParameters([{ type: 'IDNP', value: '2000000000000' }]), fixture.credentials);
		const t1 = Date.now();
		await runNode(sendParameters([{ type: 'IDNP', value: '2000000000000' }]), fixture.credentials);
		console.log('first', t1 - t0, 'second', Date.now() - t1);
		const probe = async (label: string, parameters: any, startItems?: any) => {
			const run = await runSteps(
				[{ name: 'MNotify', parameters, onError: 'continueRegularOutput' }],
				fixture.credentials,
				startItems,
			);
			const task = run.data.resultData.runData.MNotify?.[0];
			console.log(
				label,
				JSON.stringify(task?.data?.main?.[0]?.map((i) => i.json))?.slice(0, 400),
				task?.error?.message,
				run.data.resultData.error?.message,
			);
		};
		const item = (json: any) => [{ json }];
		await probe(
			'obj subject',
			sendParameters([{ type: 'IDNP', value: '2000000000000' }], { subject: '={{ $json.v }}' }),
			item({ v: { a: 1 } }),
		);
		await probe(
			'arr value',
			sendParameters([{ type: 'IDNP', value: '={{ $json.v }}' }]),
			item({ v: [1] }),
		);
		await probe(
			'bool value',
			sendParameters([{ type: 'IDNP', value: '={{ $json.v }}' }]),
			item({ v: true }),
		);
		await probe(
			'null value',
			sendParameters([{ type: 'IDNP', value: '={{ $json.v }}' }]),
			item({ v: null }),
		);
		await probe(
			'priority expr',
			sendParameters([{ type: 'IDNP', value: '2000000000000' }], { priority: '={{ $json.v }}' }),
			item({ v: 'Urgent' }),
		);
		await probe(
			'type expr',
			sendParameters([{ type: '={{ $json.v }}', value: '2000000000000' }]),
			item({ v: 'SMS' }),
		);
		await probe(
			'get bad id',
			{ resource: 'notification', operation: 'get', notificationId: '={{ $json.v }}' },
			item({ v: '../x' }),
		);
		await probe(
			'tpl get bad id',
			{
				resource: 'template',
				operation: 'get',
				templateId: { __rl: true, mode: 'id', value: '={{ $json.v }}' },
			},
			item({ v: '9d87c5a4-3b6e-4f0a-9c2d-1e5f7a8b9c0d/../x' }),
		);
		await probe(
			'tpl get list mode',
			{
				resource: 'template',
				operation: 'get',
				templateId: { __rl: true, mode: 'list', value: '={{ $json.v }}' },
			},
			item({ v: '?x' }),
		);
		await probe(
			'getMany orderField',
			{ resource: 'notification', operation: 'getMany', options: { orderField: '={{ $json.v }}' } },
			item({ v: 'priority' }),
		);
		await probe(
			'getMany ipp',
			{
				resource: 'notification',
				operation: 'getMany',
				options: { itemsPerPage: '={{ $json.v }}' },
			},
			item({ v: 101 }),
		);
		await probe(
			'getMany limit',
			{ resource: 'notification', operation: 'getMany', limit: '={{ $json.v }}' },
			item({ v: -1 }),
		);
		await probe(
			'getMany page',
			{ resource: 'notification', operation: 'getMany', options: { page: '={{ $json.v }}' } },
			item({ v: 0 }),
		);
		await probe(
			'vars json',
			{
				resource: 'template',
				operation: 'preview',
				templateId: { __rl: true, mode: 'id', value: '9d87c5a4-3b6e-4f0a-9c2d-1e5f7a8b9c0d' },
				variablesMode: 'json',
				variablesJson: '={{ $json.v }}',
			},
			item({ v: '[1,2]' }),
		);
		await probe(
			'vars json obj',
			{
				resource: 'template',
				operation: 'preview',
				templateId: { __rl: true, mode: 'id', value: '9d87c5a4-3b6e-4f0a-9c2d-1e5f7a8b9c0d' },
				variablesMode: 'json',
				variablesJson: '={{ $json.v }}',
			},
			item({ v: [1, 2] }),
		);
		await probe(
			'timeout 0.5',
			sendParameters([{ type: 'IDNP', value: '2000000000000' }], {
				options: { timeoutSeconds: 0.5 },
			}),
		);
		fixture.sandbox.injectFault({ kind: 'non-json' }, { method: 'POST' });
		await probe('non-json post', sendParameters([{ type: 'IDNP', value: '2000000000000' }]));
		fixture.sandbox.injectFault({ kind: 'non-json' }, { method: 'GET' });
		const id = fixture.sandbox.notifications()[0].id;
		await probe('non-json get', { resource: 'notification', operation: 'get', notificationId: id });
		console.log(JSON.stringify(fixture.sandbox.notifications()[0]).slice(0, 600));
	});
});
