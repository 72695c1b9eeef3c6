import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { DEFAULT_CONCURRENCY, runWithConcurrency } from '../helpers/concurrency';
import { InputError } from '../helpers/validation';
import * as notification from './notification/Notification.resource';
import * as template from './template/Template.resource';
import type { ItemOutcome, ItemTask, OperationModule } from './types';

const RESOURCES: Record<string, Record<string, OperationModule>> = {
	notification: notification.operations,
	template: template.operations,
};

/**
 * Runs the chosen operation for every input item in two phases: first every item is validated
 * (on its own without network, then with the reads some checks need, such as a template's
 * placeholders), so bad input stops the run before anything is sent; then the requests run with
 * bounded concurrency. Outputs keep the input order and point back at their items.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = RESOURCES[resource]?.[operationName];
	if (!operation) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operationName}" of "${resource}" is not supported`,
		);
	}
	const continueOnFail = this.continueOnFail();
	await operation.beforeAll?.call(this, items.length);

	const outcomes: ItemOutcome[] = items.map((_, itemIndex) => ({ itemIndex }));
	const tasks: Array<ItemTask | undefined> = [];
	const failBeforeSending = (itemIndex: number, error: unknown) => {
		const nodeError = toNodeError.call(this, error, itemIndex);
		if (!continueOnFail) throw nodeError;
		tasks[itemIndex] = undefined;
		outcomes[itemIndex].error = nodeError;
	};
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			tasks[itemIndex] = await operation.prepare.call(this, itemIndex);
		} catch (error) {
			failBeforeSending(itemIndex, error);
		}
	}
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			await tasks[itemIndex]?.checkBeforeSending?.();
		} catch (error) {
			failBeforeSending(itemIndex, error);
		}
	}

	const concurrency = operation.concurrency?.call(this) ?? DEFAULT_CONCURRENCY;
	await runWithConcurrency(tasks.length, concurrency, async (itemIndex) => {
		const task = tasks[itemIndex];
		if (!task) return true;
		try {
			const result = await task();
			outcomes[itemIndex].output = Array.isArray(result) ? result : [result];
			return true;
		} catch (error) {
			outcomes[itemIndex].error = toNodeError.call(this, error, itemIndex);
			return continueOnFail;
		}
	});

	const firstFailure = outcomes.find((outcome) => outcome.error);
	if (!continueOnFail && firstFailure?.error) {
		throw operation.notifiesPeople
			? withEarlierResults(firstFailure.error, outcomes)
			: firstFailure.error;
	}

	await operation.finish?.call(this, outcomes);

	// n8n sends an item to the error output only if it carries the error; with "Continue" (regular
	// output) it would replace the item's JSON by the bare message, losing the description.
	const toErrorOutput = this.getNode().onError === 'continueErrorOutput';
	const returnData: INodeExecutionData[] = [];
	for (const outcome of outcomes) {
		const pairedItem = { item: outcome.itemIndex };
		if (outcome.error) {
			returnData.push({
				json: errorJson(outcome.error),
				...(toErrorOutput ? { error: outcome.error } : {}),
				pairedItem,
			});
			continue;
		}
		for (const json of outcome.output ?? []) returnData.push({ json, pairedItem });
	}
	return [returnData];
}

function toNodeError(
	this: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (error instanceof InputError) {
		return new NodeOperationError(this.getNode(), `${error.message} (item ${itemIndex})`, {
			description: `${error.hint} Field: ${error.field}.`,
			itemIndex,
		});
	}
	const message = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(this.getNode(), message, { itemIndex });
}

/** A run that stops part-way tells which sends already went out, so none is repeated by mistake. */
function withEarlierResults(
	error: NodeApiError | NodeOperationError,
	outcomes: ItemOutcome[],
): NodeApiError | NodeOperationError {
	const done = outcomes.filter((outcome) => outcome.output && !outcome.error);
	if (done.length === 0) return error;
	const sent = done
		.map((outcome) => `item ${outcome.itemIndex}: ${String(outcome.output?.[0]?.id ?? '?')}`)
		.join(', ');
	error.description = `${error.description ?? ''} Before this failure, ${done.length} notification(s) were already sent (${sent}). Remove those items before running again, or turn on "Continue On Fail" to get one result per item.`;
	return error;
}

function errorJson(error: NodeApiError | NodeOperationError): IDataObject {
	const json: IDataObject = { error: error.message };
	if (error.description) json.description = error.description;
	if (error instanceof NodeApiError && error.httpCode) json.httpCode = error.httpCode;
	return json;
}
