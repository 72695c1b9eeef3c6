/**
 * Shape checks of MNotify's answers before they are used: fields are optional ("tolerant
 * reading", docs/contract.md §12), but a value of the wrong kind (`null`, a number, a list where
 * an object belongs) is named instead of crashing the engine or reaching the output.
 */

import type { NotificationDetails } from './interfaces';
import { describeValue, isPlainObject } from './checks';

/** What is wrong with a notification's details, or undefined when they can be used. */
export function notificationDetailsProblem(value: unknown): string | undefined {
	if (!isPlainObject(value)) return `the answer is ${describeValue(value)}, not a notification`;
	if (value.status !== undefined && typeof value.status !== 'string') {
		return `its status is ${describeValue(value.status)}`;
	}
	if (value.recipients === undefined) return undefined;
	if (!Array.isArray(value.recipients))
		return `its recipients are ${describeValue(value.recipients)}`;
	for (const [index, recipient] of value.recipients.entries()) {
		if (!isPlainObject(recipient)) return `recipient ${index + 1} is ${describeValue(recipient)}`;
		const messages = recipient.messages;
		if (messages === undefined) continue;
		if (!Array.isArray(messages))
			return `the messages of recipient ${index + 1} are ${describeValue(messages)}`;
		const wrong = (messages as unknown[]).findIndex((entry) => !isPlainObject(entry));
		if (wrong !== -1) {
			return `message ${wrong + 1} of recipient ${index + 1} is ${describeValue(messages[wrong])}`;
		}
	}
	return undefined;
}

/** The details once checked; the type says what was checked. */
export function readNotificationDetails(
	value: unknown,
): { ok: true; details: NotificationDetails } | { ok: false; problem: string } {
	const problem = notificationDetailsProblem(value);
	return problem ? { ok: false, problem } : { ok: true, details: value as NotificationDetails };
}

/** What is wrong with one page of a list, or undefined when every entry is an object. */
export function listPageProblem(value: unknown): string | undefined {
	if (!Array.isArray(value)) return `the answer is ${describeValue(value)}, not a list`;
	const index = value.findIndex((entry) => !isPlainObject(entry));
	return index === -1 ? undefined : `entry ${index + 1} is ${describeValue(value[index])}`;
}
