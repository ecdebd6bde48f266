import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { TOPICS, type TopicId, type TopicValue } from './topics';

export type ValidationResult<T> = { valid: true; value: T } | { valid: false; errors: string[] };
export type TopicValidator<T> = (value: unknown) => ValidationResult<T>;

// allErrors: a dead letter should say everything that is wrong, not only the first problem
const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
addFormats(ajv);

const compiled = new Map<TopicId, ValidateFunction>();

/** The topic's value validator, compiled on first use and then reused. */
export function validatorFor<T extends TopicId>(topicId: T): TopicValidator<TopicValue<T>> {
  let validate = compiled.get(topicId);
  if (!validate) {
    // ajv caches by schema object, so the two raw topics share one compiled function
    validate = ajv.compile(TOPICS[topicId].schema);
    compiled.set(topicId, validate);
  }
  const check = validate;
  return (value) =>
    check(value)
      ? { valid: true, value: value as TopicValue<T> }
      : { valid: false, errors: formatSchemaErrors(check.errors ?? []) };
}

/** One line per problem: `<instancePath> <message>`, e.g. `/account/status must be equal to one of the allowed values: active, needs_reauth, paused`. */
export function formatSchemaErrors(errors: ErrorObject[]): string[] {
  return errors.map((error) => `${error.instancePath || '(root)'} ${messageOf(error)}`);
}

function messageOf(error: ErrorObject): string {
  switch (error.keyword) {
    case 'type':
      // ajv says `must be integer,null`
      return `must be ${([] as unknown[]).concat(error.params.type).join(' or ')}`;
    default:
      return `${error.message ?? error.keyword}${detailOf(error)}`;
  }
}

function detailOf(error: ErrorObject): string {
  switch (error.keyword) {
    case 'additionalProperties':
      return `: '${String(error.params.additionalProperty)}'`;
    case 'enum':
      return `: ${(error.params.allowedValues as unknown[]).join(', ')}`;
    case 'const':
      return `: ${JSON.stringify(error.params.allowedValue)}`;
    default:
      return '';
  }
}
