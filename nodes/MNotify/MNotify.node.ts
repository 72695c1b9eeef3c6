import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as notification from './actions/notification/Notification.resource';
import { router } from './actions/router';
import * as template from './actions/template/Template.resource';
import { mNotifyApiTest } from './methods/credentialTest';
import { searchNotifications, searchTemplates } from './methods/listSearch';
import { getTemplatePlaceholders } from './methods/resourceMapping';
import { POSTGRES_CREDENTIAL_TYPE } from './actions/notification/ledger';
import { CREDENTIAL_TYPE } from './transport';
import { DEFAULT_VERSION, NODE_VERSIONS } from './actions/versions';

export class MNotify implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MNotify',
		name: 'mNotify',
		icon: { light: 'file:../../icons/mnotify.svg', dark: 'file:../../icons/mnotify.dark.svg' },
		group: ['output'],
		version: NODE_VERSIONS,
		defaultVersion: DEFAULT_VERSION,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description:
			'Send notifications to citizens and companies of Moldova through MNotify, the e-Government notification service',
		defaults: { name: 'MNotify' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: CREDENTIAL_TYPE, required: true, testedBy: 'mNotifyApiTest' },
			// n8n's own Postgres credential, for the PostgreSQL sent-ledger (Send, Get Sent).
			{
				name: POSTGRES_CREDENTIAL_TYPE,
				required: true,
				displayOptions: { show: { ledger: ['postgres'] } },
			},
		],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Notification', value: 'notification' },
					{ name: 'Template', value: 'template' },
				],
				default: 'notification',
			},
			...notification.description,
			...template.description,
		],
	};

	methods = {
		listSearch: { searchNotifications, searchTemplates },
		credentialTest: { mNotifyApiTest },
		resourceMapping: { getTemplatePlaceholders },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
