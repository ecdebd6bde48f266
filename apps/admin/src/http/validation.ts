import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ProblemException, type FieldProblem } from './problem.filter';

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Unknown fields are rejected, types are coerced, and every field problem is listed. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const fieldErrors = flatten(errors);
      return new ProblemException(
        400,
        'Bad Request',
        fieldErrors.map((e) => `${e.field}: ${e.message}`).join('; '),
        fieldErrors,
      );
    },
  });
}
