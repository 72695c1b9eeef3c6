import type { INodeExecutionData, IRun } from 'n8n-workflow';

/**
 * Every output item in n8n's run data, of every node: what a finished execution hands back.
 * (The engine also keeps its own copy of the trigger's items, with their pairedItem.)
 */
export function allOutputItems(run: IRun): INodeExecutionData[] {
	return Object.values(run.data.resultData.runData).flatMap((tasks) =>
		tasks.flatMap((task) =>
			(task.data?.main ?? []).flatMap((items): INodeExecutionData[] => items ?? []),
		),
	);
}
