export { applyVector, attributeVector, meanCode, norm, strengthSteps } from './attribute'
