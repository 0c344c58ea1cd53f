export { accuracy, classAccuracy } from './accuracy/class-accuracy.ts';
