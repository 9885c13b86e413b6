import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { describeAdapter, isSoftwareAdapter } from '../../src/engine/gpu/webgpu-backend'
import { findVulkanLoader, webGpuProbe } from '../../src/main/backends/webgpu-node'
import type { GpuAdapterInfo } from '../../src/shared/contract/app'
import { tempDir } from '../helpers/tmp'

const adapter = (over: Partial<GpuAdapterInfo>): GpuAdapterInfo => ({
  vendor: 'nvidia',
  architecture: 'hopper',
  device: '',
  description: 'NVIDIA H200',
  isFallbackAdapter: false,
  ...over
})

describe('software adapters', () => {
  it('are recognised by the fallback flag or by the driver name', () => {
    expect(isSoftwareAdapter(adapter({}))).toBe(false)
    expect(isSoftwareAdapter(adapter({ isFallbackAdapter: true }))).toBe(true)
    // Mesa's lavapipe and llvmpipe do not always set the fallback flag.
    expect(
      isSoftwareAdapter(adapter({ vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15.0.6)' }))
    ).toBe(true)
    expect(isSoftwareAdapter(adapter({ vendor: 'mesa', description: 'lavapipe' }))).toBe(true)
    expect(
      isSoftwareAdapter(adapter({ vendor: 'google', architecture: 'swiftshader', description: '' }))
    ).toBe(true)
  })

  it('are described in one line, marked software', () => {
    expect(describeAdapter(adapter({}))).toBe('nvidia hopper: NVIDIA H200')
    expect(
      describeAdapter(
        adapter({
          vendor: 'google',
          architecture: 'swiftshader',
          description: 'SwiftShader driver 5.0.0',
          isFallbackAdapter: true
        })
      )
    ).toBe('google swiftshader: SwiftShader driver 5.0.0 (software)')
    expect(
      describeAdapter(adapter({ vendor: '', architecture: '', description: '', device: 'gfx1100' }))
    ).toBe('unknown vendor: gfx1100')
  })
})

describe('the Vulkan loader check', () => {
  const saved = process.env.LD_LIBRARY_PATH
  afterEach(() => {
    if (saved === undefined) delete process.env.LD_LIBRARY_PATH
    else process.env.LD_LIBRARY_PATH = saved
  })

  it('finds libvulkan.so.1 on LD_LIBRARY_PATH first, as the dynamic loader does', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'libvulkan.so.1'), '')
    expect(findVulkanLoader({ LD_LIBRARY_PATH: `/nonexistent:${dir}` })).toBe(join(dir, 'libvulkan.so.1'))
  })

  it.skipIf(process.platform !== 'linux' || findVulkanLoader({}) !== null)(
    'without a loader, the probe says what to install',
    () => {
      delete process.env.LD_LIBRARY_PATH
      expect(webGpuProbe('linux')).toEqual({
        name: 'webgpu',
        available: false,
        detail: expect.stringMatching(
          /Vulkan loader \(libvulkan\.so\.1\) is not installed.*apt-get install libvulkan1/
        )
      })
      const dir = tempDir()
      writeFileSync(join(dir, 'libvulkan.so.1'), '')
      process.env.LD_LIBRARY_PATH = dir
      expect(webGpuProbe('linux')).toMatchObject({ name: 'webgpu', available: true })
    }
  )
})
