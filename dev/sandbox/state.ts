/** What every endpoint handler can reach: the data, the clock and the sandbox's settings. */
import type { SandboxClock } from './clock';
import type { SandboxStats, SendArrival } from './stats';
import type { StatusTiming } from './statuses';
import type { SandboxStore } from './store';

export interface SandboxState {
	store: SandboxStore;
	clock: SandboxClock;
	stats: SandboxStats;
	/** Every send received, in order of arrival (for pacing checks at the server). */
	sendArrivals: SendArrival[];
	statusStepMs: number;
	/** Lower-cased recipient values whose messages fail. */
	failingRecipients: Set<string>;
	templateReading: TemplateReading;
}

/**
 * Which texts a recipient reads when a send names a template, the contract being silent
 * (docs/contract.md §10): the texts sent, rendered with the variables ("texts"), or the
 * template's own, rendered, the texts sent being ignored ("template").
 */
export type TemplateReading = 'texts' | 'template';

export function statusTiming(state: SandboxState): StatusTiming {
	return { nowMs: state.clock.now(), stepMs: state.statusStepMs };
}

export function isFailingRecipient(state: SandboxState, value: string): boolean {
	return state.failingRecipients.has(value.toLowerCase());
}
