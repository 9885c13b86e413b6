import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { createApi } from './api/index'
import { provideApi } from './studio'
import './styles.css'

provideApi(createApi())
createApp(App).use(createPinia()).mount('#app')
