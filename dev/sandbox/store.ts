/** In-memory notifications and templates, with MNotify's ownership rules on lookup. */
import type { Sender, StoredNotification, StoredTemplate } from './model';
import { messageError } from './responses';

interface Owned {
	id: string;
	sender: Sender;
}

/** 404 for an unknown id, 403 for an id that belongs to another sender (§12). */
function findOwned<T extends Owned>(
	items: Map<string, T>,
	id: string,
	sender: Sender,
	noun: string,
): T {
	const item = items.get(id.toLowerCase());
	if (item === undefined) throw messageError(404, `${noun} ${id} was not found.`);
	if (item.sender.id !== sender.id) {
		throw messageError(403, `${noun} ${id} belongs to another information system.`);
	}
	return item;
}

export class SandboxStore {
	private readonly notifications = new Map<string, StoredNotification>();
	private readonly templates = new Map<string, StoredTemplate>();

	addNotification(notification: StoredNotification): void {
		this.notifications.set(notification.id, notification);
	}

	/** Forgets every notification (templates stay): a benchmark run starts with an empty store. */
	clearNotifications(): void {
		this.notifications.clear();
	}

	addTemplate(template: StoredTemplate): void {
		this.templates.set(template.id, template);
	}

	deleteTemplate(id: string): void {
		this.templates.delete(id);
	}

	ownedNotification(id: string, sender: Sender): StoredNotification {
		return findOwned(this.notifications, id, sender, 'Notification');
	}

	ownedTemplate(id: string, sender: Sender): StoredTemplate {
		return findOwned(this.templates, id, sender, 'Template');
	}

	allNotifications(): StoredNotification[] {
		return [...this.notifications.values()];
	}

	notificationsOf(sender: Sender): StoredNotification[] {
		return this.allNotifications().filter((item) => item.sender.id === sender.id);
	}

	templatesOf(sender: Sender): StoredTemplate[] {
		return [...this.templates.values()].filter((item) => item.sender.id === sender.id);
	}
}
