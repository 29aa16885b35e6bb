import 'reflect-metadata';
import { HELLO } from '@kubecohort/contracts';
console.log(HELLO);
