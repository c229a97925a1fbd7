/**
 * The SCIM discovery documents (RFC 7643 §5–7, RFC 7644 §4): what this service provider supports,
 * the User schema and its enterprise extension with the attributes hr-import maps, and the one
 * resource type. Fixed: nothing here depends on the organization.
 */
import { SCIM_ENTERPRISE_SCHEMA, SCIM_USER_SCHEMA } from '../../contract/index.js';
import { SCIM_MAX_PAGE } from './scim-protocol.js';

const string = (name: string, description: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: 'string',
  multiValued: false,
  description,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...extra,
});

const multiValued = (name: string, description: string, subAttributes: Record<string, unknown>[]) => ({
  name,
  type: 'complex',
  multiValued: true,
  description,
  required: false,
  mutability: 'readWrite',
  returned: 'default',
  subAttributes,
});

const typeAndPrimary = [
  string('type', 'work, home, other'),
  { name: 'primary', type: 'boolean', multiValued: false, description: 'The preferred value', required: false, mutability: 'readWrite', returned: 'default' },
];

const USER_ATTRIBUTES = [
  string('userName', 'Unique per organization, case-insensitive; often the sign-in address', { required: true, uniqueness: 'server' }),
  string('externalId', "The identity provider's id for the person", { caseExact: true }),
  {
    name: 'name',
    type: 'complex',
    multiValued: false,
    description: "The person's name; givenName and familyName are the directory's first and last name",
    required: false,
    mutability: 'readWrite',
    returned: 'default',
    subAttributes: [
      string('formatted', 'The full name'),
      string('familyName', 'Last name'),
      string('givenName', 'First name'),
      string('middleName', 'Middle name'),
    ],
  },
  string('displayName', 'The name the directory shows (else name.formatted, else given and family name, else userName)'),
  string('title', 'Job title'),
  string('userType', 'Employment type (Employee, Contractor, …): sync rules scope and give roles by it'),
  {
    name: 'active',
    type: 'boolean',
    multiValued: false,
    description: 'false: the person is inactive in the directory (a leaver for sync rules)',
    required: false,
    mutability: 'readWrite',
    returned: 'default',
  },
  multiValued('emails', 'The primary one (else the work one, else the first) is the address invitations go to; a home one is the personal email', [
    string('value', 'The address'),
    ...typeAndPrimary,
  ]),
  multiValued('addresses', "The primary (else work, else first) address's locality is the directory's location", [
    string('formatted', 'The full address'),
    string('locality', 'City'),
    string('region', 'Region'),
    string('country', 'Country'),
    ...typeAndPrimary,
  ]),
  multiValued('phoneNumbers', 'Kept as sent; not shown', [string('value', 'The number'), ...typeAndPrimary]),
];

const ENTERPRISE_ATTRIBUTES = [
  string('employeeNumber', 'Kept as sent'),
  string('department', "The directory's department"),
  string('division', 'Kept as sent'),
  string('organization', 'Kept as sent'),
  string('costCenter', 'Kept as sent'),
  {
    name: 'manager',
    type: 'complex',
    multiValued: false,
    description: 'The manager\'s SCIM id here: sync rules follow it for "reports to"',
    required: false,
    mutability: 'readWrite',
    returned: 'default',
    subAttributes: [string('value', "The manager's id", { caseExact: true }), string('displayName', "The manager's name", { mutability: 'readOnly' })],
  },
];

const schema = (id: string, name: string, description: string, attributes: unknown[]) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
  id,
  name,
  description,
  attributes,
  meta: { resourceType: 'Schema', location: `/Schemas/${id}` },
});

export const SCIM_SCHEMAS = [
  schema(SCIM_USER_SCHEMA, 'User', "A person in the organization's directory", USER_ATTRIBUTES),
  schema(SCIM_ENTERPRISE_SCHEMA, 'EnterpriseUser', 'Department and manager', ENTERPRISE_ATTRIBUTES),
];

export const SCIM_RESOURCE_TYPES = [
  {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'People of the organization, as its identity provider pushes them',
    schema: SCIM_USER_SCHEMA,
    schemaExtensions: [{ schema: SCIM_ENTERPRISE_SCHEMA, required: false }],
    meta: { resourceType: 'ResourceType', location: '/ResourceTypes/User' },
  },
];

export function serviceProviderConfig(baseUrl: string) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: SCIM_MAX_PAGE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      { type: 'oauthbearertoken', name: 'Bearer token', description: "The organization's SCIM token, created by the application's backend", primary: true },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}
