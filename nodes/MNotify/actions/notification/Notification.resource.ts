import type { INodeProperties } from 'n8n-workflow';

import type { OperationModule } from '../types';
import * as cancel from './cancel.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as getSent from './getSent.operation';
import { send } from './send/send.operation';

export const operations: Record<string, OperationModule> = { send, get, getMany, getSent, cancel };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['notification'] } },
		options: [
			{
				name: 'Cancel',
				value: 'cancel',
				description: 'Cancel a notification that has not been sent on yet',
				action: 'Cancel a notification',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get the status of a notification and of each recipient message',
				action: 'Get a notification',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				description: 'List the notifications sent with this certificate',
				action: 'Get many notifications',
			},
			{
				name: 'Get Sent',
				value: 'getSent',
				description:
					'List what the sent-ledger of Skip Already Notified holds: key hashes, states, notification IDs, times',
				action: 'Get sent notifications from the ledger',
			},
			{
				name: 'Send',
				value: 'send',
				description: 'Send a notification to citizens or companies',
				action: 'Send a notification',
			},
		],
		default: 'send',
	},
	...send.description,
	...get.description,
	...getMany.description,
	...getSent.description,
	...cancel.description,
];
