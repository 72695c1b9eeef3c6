/** Wire shapes of the MNotify REST API v2 (see shared/mnotify-api.md §5–§6). */

export type Language = 'ro' | 'ru' | 'en';

/** Text in Romanian (mandatory) and optionally Russian and English. */
export type ContentLanguage = { ro: string } & Partial<Record<Exclude<Language, 'ro'>, string>>;

export type RecipientType = 'IDNP' | 'IDNO' | 'Email' | 'Telephone';

export type Priority = 'Low' | 'Medium' | 'High';

export interface RecipientIdentifier {
	type: RecipientType;
	value: string;
}

export interface NotificationTemplateReference {
	id: string;
	/** Serialized JSON object: the API wants a string, not a nested object. */
	variables?: string;
}

export interface ResolutionPolicy {
	type: string;
	parameters?: { direction: string };
}

export interface Attachment {
	fileName: string;
	base64: string;
}

export interface NotificationRequest {
	subject?: ContentLanguage;
	body?: ContentLanguage;
	bodyShort?: ContentLanguage;
	priority: Priority;
	recipients: RecipientIdentifier[];
	template?: NotificationTemplateReference;
	resolutionPolicy?: ResolutionPolicy;
	attachments?: Attachment[];
}

export interface TemplateRequest {
	name: string;
	description?: string;
	subject: ContentLanguage;
	body?: ContentLanguage;
	bodyShort?: ContentLanguage;
}

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

/** Delivery moves forward through these; Failed and Cancelled can end it from any point. */
export const DELIVERY_PROGRESSION: readonly NotificationStatus[] = [
	'Pending',
	'Resolving',
	'Sending',
	'Sent',
	'Delivered',
	'Read',
];

/** Statuses after which a notification no longer changes. */
export const FINAL_STATUSES: readonly NotificationStatus[] = [
	'Delivered',
	'Read',
	'Failed',
	'Cancelled',
];

/** Response fields are all optional (§12 "tolerant reading"); unknown fields pass through. */
export interface NotificationMessage {
	messageId?: string;
	subject?: string;
	status?: NotificationStatus;
	channel?: string;
	[field: string]: unknown;
}

export interface NotificationRecipient {
	type?: string;
	value?: string;
	messages?: NotificationMessage[];
	[field: string]: unknown;
}

export interface NotificationDetails {
	id?: string;
	status?: NotificationStatus;
	recipients?: NotificationRecipient[];
	[field: string]: unknown;
}

export interface ListQuery {
	Page?: number;
	ItemsPerPage?: number;
	OrderField?: string;
	SearchBy?: string;
}
