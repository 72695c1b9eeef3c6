import type { Route } from '../router';
import { notificationRoutes } from './notifications';
import { templateRoutes } from './templates';

export const apiRoutes: Route[] = [...notificationRoutes, ...templateRoutes];
