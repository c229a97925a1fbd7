/** The BFF's operations for host backend: part of the one table bff/openapi.ts documents. */
import {
  health,
  memberSync,
  memberSyncResult,
  openApiOutline,
  sessionInfo,
  sessionRequest,
  sessionToken,
  target,
  targetParams,
  targetUpsert,
} from '../../contract/index.js';
import { error, ok, type Operation } from './answers.js';

/** Health, the document itself, sessions and targets: the host backend's calls. */
export const HOST_OPERATIONS: Operation[] = [
  {
    method: 'get',
    path: '/health',
    operationId: 'getHealth',
    summary: 'Ready: the database answers and takes writes (checked at most every 1.5 s). For load balancers',
    responses: {
      '200': ok(health, 'Ready'),
      '503': error('`database_unavailable`: the database does not answer or cannot store changes (full disk, read-only); reads may still work', [
        'Retry-After',
      ]),
    },
  },
  {
    method: 'get',
    path: '/health/ready',
    operationId: 'getReadiness',
    summary: 'The same as /health',
    responses: {
      '200': ok(health, 'Ready'),
      '503': error('`database_unavailable`: the database does not answer or cannot store changes (full disk, read-only); reads may still work', [
        'Retry-After',
      ]),
    },
  },
  {
    method: 'get',
    path: '/health/live',
    operationId: 'getLiveness',
    summary: 'Live: the process answers, whatever its database does. For restart decisions',
    responses: { '200': ok(health, 'Live') },
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This document',
    responses: { '200': ok(openApiOutline, 'The OpenAPI document') },
  },
  {
    method: 'post',
    path: '/sessions',
    operationId: 'createSession',
    summary: 'Open a widget session for an inviter on a target',
    auth: 'apiKey',
    body: sessionRequest,
    responses: { '201': ok(sessionToken), '404': error('`target_not_found`') },
  },
  {
    method: 'put',
    path: '/targets/{type}/{id}',
    operationId: 'putTarget',
    summary: 'Create or update a target',
    auth: 'apiKey',
    params: targetParams,
    body: targetUpsert,
    responses: { '200': ok(target, 'Updated'), '201': ok(target, 'Created') },
  },
  {
    method: 'put',
    path: '/targets/{type}/{id}/members',
    operationId: 'syncMembers',
    summary: "Replace a target's members with the host's list",
    auth: 'apiKey',
    params: targetParams,
    body: memberSync,
    responses: { '200': ok(memberSyncResult), '404': error('`target_not_found`') },
  },
  {
    method: 'get',
    path: '/session',
    operationId: 'getSession',
    summary: 'The session: inviter, target, seats',
    auth: 'session',
    responses: { '200': ok(sessionInfo, 'The session') },
  },
];
