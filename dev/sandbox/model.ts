/**
 * Domain types of the sandbox's in-memory MNotify. The sandbox keeps its own copies of the API's
 * lists on purpose: it must stay independent of the node it tests (docs/contract.md).
 */

export const PRIORITIES = ['Low', 'Medium', 'High'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const RECIPIENT_TYPES = ['IDNP', 'IDNO', 'Email', 'Telephone'] as const;
export type RecipientType = (typeof RECIPIENT_TYPES)[number];

export type NotificationStatus =
	| 'Pending'
	| 'Resolving'
	| 'Sending'
	| 'Sent'
	| 'Delivered'
	| 'Read'
	| 'Cancelling'
	| 'Cancelled'
	| 'Failed';

export type Channel = 'Email' | 'SMS' | 'MCabinet';

export interface ContentLanguage {
	ro: string;
	ru?: string;
	en?: string;
}

/** The information system behind a client certificate. */
export interface Sender {
	id: string;
	name: string;
	serialNumber: string;
}

export interface Recipient {
	type: RecipientType;
	value: string;
}

export interface StoredMessage {
	messageId: string;
	channel: Channel;
	subject: string;
}

/** The texts one recipient reads, placeholders filled in. */
export interface MessageContent {
	subject: ContentLanguage;
	body: ContentLanguage;
	bodyShort: ContentLanguage;
}

export interface StoredRecipient extends Recipient {
	/** Decided when the notification is accepted, from the sandbox's failing-recipient list. */
	fails: boolean;
	content: MessageContent;
	messages: StoredMessage[];
}

export interface Cancellation {
	atMs: number;
	by: string;
}

export interface StoredNotification {
	id: string;
	sender: Sender;
	priority: Priority;
	createdAtMs: number;
	cancellation?: Cancellation;
	templateId?: string;
	/** The request body exactly as parsed from JSON, for tests and the demo. */
	request: unknown;
	recipients: StoredRecipient[];
}

export interface TemplateContent {
	name: string;
	description: string;
	subject: ContentLanguage;
	body: ContentLanguage;
	bodyShort: ContentLanguage;
}

export interface StoredTemplate extends TemplateContent {
	id: string;
	sender: Sender;
	createdAtMs: number;
	lastUpdatedAtMs: number;
	lastUpdatedBy: string;
}
