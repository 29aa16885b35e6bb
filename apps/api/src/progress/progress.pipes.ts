import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { ValidationFailed } from '../http/error.filter.js';

/** `:step` path parameters: a step number of the plan (400 naming the parameter otherwise). */
@Injectable()
export class ParseStep implements PipeTransform<string | number, number> {
  transform(value: string | number, metadata: ArgumentMetadata): number {
    // The global ValidationPipe may already have turned the string into a number (or NaN).
    if ((typeof value !== 'string' && typeof value !== 'number') || !/^[1-9]\d{0,2}$/.test(String(value))) {
      throw new ValidationFailed([
        { field: metadata.data ?? 'step', problem: 'must be a step number (1, 2, ...)' },
      ]);
    }
    return Number(value);
  }
}

const TASK_ID = /^[a-z0-9][a-z0-9-]{0,119}$/;

/** `:taskId` path parameters: a task slug such as `lab-3-network-policy`. */
@Injectable()
export class ParseTaskId implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (typeof value !== 'string' || !TASK_ID.test(value)) {
      throw new ValidationFailed([
        {
          field: metadata.data ?? 'taskId',
          problem: 'must be a task id (lower-case letters, digits and dashes)',
        },
      ]);
    }
    return value;
  }
}

/** An ISO 8601 string the DTO validated, as a Date; null and undefined pass through. */
export function toDate<T extends string | null | undefined>(
  value: T,
): T extends string ? Date : Exclude<T, string> {
  return (typeof value === 'string' ? new Date(value) : value) as T extends string
    ? Date
    : Exclude<T, string>;
}
