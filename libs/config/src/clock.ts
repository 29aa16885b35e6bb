import { Injectable } from '@nestjs/common';

/** The time source. Injected so tests can move time instead of sleeping. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
