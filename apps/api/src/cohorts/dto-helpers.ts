import { DISCORD_ID_PATTERN, isIanaTimeZone, type RequestMeta } from '@kubecohort/cohorts';
import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  isISO8601,
  Matches,
  Max,
  Min,
  ValidateBy,
} from 'class-validator';
import type { Request } from 'express';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function instant(): PropertyDecorator[] {
  return [
    IsISO8601(
      { strict: true, strictSeparator: true },
      { message: '$property must be an ISO 8601 date-time' },
    ),
    Matches(INSTANT, {
      message: '$property must include a time and a time zone offset, e.g. 2026-03-01T09:00:00Z',
    }),
  ];
}

/** An optional, nullable ISO 8601 instant with an explicit offset (never server-local time). */
export function IsOptionalInstant(): PropertyDecorator {
  return applyDecorators(IsOptional(), ...instant());
}

/** A required field that is an ISO 8601 instant with an explicit offset, or null (which clears it). */
export function IsInstantOrNull(): PropertyDecorator {
  return ValidateBy({
    name: 'isInstantOrNull',
    validator: {
      validate: (value: unknown) =>
        value === null ||
        (typeof value === 'string' &&
          isISO8601(value, { strict: true, strictSeparator: true }) &&
          INSTANT.test(value)),
      defaultMessage: (args) =>
        args?.value === undefined
          ? `${args?.property ?? 'value'} is required (null clears it)`
          : `${args?.property ?? 'value'} must be an ISO 8601 date-time with a time zone offset, e.g. 2026-03-01T09:00:00Z, or null`,
    },
  });
}

export function IsIanaTimeZone(): PropertyDecorator {
  return ValidateBy({
    name: 'isIanaTimeZone',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && isIanaTimeZone(value),
      defaultMessage: () => '$property must be an IANA time zone such as Europe/Berlin',
    },
  });
}

export function IsOptionalDiscordId(): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    IsString(),
    Matches(DISCORD_ID_PATTERN, { message: '$property must be a Discord id (digits)' }),
  );
}

export function IsDiscordId(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Matches(DISCORD_ID_PATTERN, { message: '$property must be a Discord id (digits)' }),
  );
}

/** `?limit=` on lists: 1..100. */
export function IsPageLimit(): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(100),
  );
}

/** undefined stays undefined (no change), null stays null (clear), text becomes a Date. */
export function toDate(value: string | null | undefined): Date | null | undefined {
  if (value === undefined || value === null) return value;
  return new Date(value);
}

/** Request id and client address for audit entries. */
export const AuditMeta = createParamDecorator((_data: unknown, ctx: ExecutionContext): RequestMeta => {
  const request = ctx.switchToHttp().getRequest<Request & { id?: unknown }>();
  return { requestId: typeof request.id === 'string' ? request.id : null, ip: request.ip ?? null };
});
